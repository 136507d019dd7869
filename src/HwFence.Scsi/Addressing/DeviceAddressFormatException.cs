namespace HwFence.Scsi.Addressing;

/// <summary>A device address that does not parse; <see cref="Field"/> names the part that is wrong.</summary>
public sealed class DeviceAddressFormatException(string address, string field, string message)
    : FormatException($"device address '{address}': {field}: {message}")
{
    public string Address { get; } = address;

    /// <summary>"scheme", "host", "port", "target name", "LUN", "path", "name", …</summary>
    public string Field { get; } = field;
}

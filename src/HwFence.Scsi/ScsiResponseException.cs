namespace HwFence.Scsi;

/// <summary>
/// A command returned GOOD but its data could not be decoded: the device (or the transport)
/// violated SPC-4/SBC-3. The message names the device, the command and the bad field.
/// </summary>
public sealed class ScsiResponseException(string device, string command, string detail)
    : IOException($"device {device}: malformed response to {command}: {detail} — the target does not follow SPC-4; report it to its vendor")
{
    public string Device { get; } = device;

    public string Command { get; } = command;
}

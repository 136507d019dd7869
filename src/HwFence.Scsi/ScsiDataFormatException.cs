namespace HwFence.Scsi;

/// <summary>
/// Response or parameter data that cannot be decoded (INQUIRY data, VPD pages, READ CAPACITY data,
/// PR IN data, PR OUT parameter lists, REPORT LUNS data). The message names the format and the field.
/// Thrown only by the thin throwing edges; every parser has a non-throwing <c>TryParse</c> core.
/// </summary>
public sealed class ScsiDataFormatException(string format, string message)
    : FormatException($"malformed {format}: {message}")
{
    /// <summary>The data format that failed, e.g. "READ KEYS parameter data".</summary>
    public string Format { get; } = format;
}

namespace HwFence.Scsi.Sense;

/// <summary>Sense bytes that cannot be decoded; the message says which byte and why.</summary>
public sealed class SenseDataFormatException(string message) : FormatException($"malformed sense data: {message}");

namespace HwFence.Hal.Scsi;

/// <summary>
/// A CDB could not be executed: the message names the device and what to do about it.
/// </summary>
public sealed class ScsiTransportException : IOException
{
    public ScsiTransportException(string device, ScsiTransportError error, string message, int errno = 0, Exception? inner = null)
        : base($"device {device}: {message}", inner)
    {
        Device = device;
        Error = error;
        Errno = errno;
    }

    /// <summary>The device address as the operator wrote it.</summary>
    public string Device { get; }

    public ScsiTransportError Error { get; }

    /// <summary>errno for OS-level failures, 0 otherwise.</summary>
    public int Errno { get; }
}

namespace HwFence.Hal.Serial;

/// <summary>A serial-line failure naming the device, errno and remedy.</summary>
public sealed class SerialPortException : IOException
{
    public SerialPortException(string device, string message, int errno = 0, bool unplugged = false, Exception? inner = null)
        : base($"serial {device}: {message}", inner)
    {
        Device = device;
        Errno = errno;
        Unplugged = unplugged;
    }

    public string Device { get; }
    public int Errno { get; }

    /// <summary>The device went away (EIO, ENXIO, hang-up); reopen when it returns.</summary>
    public bool Unplugged { get; }
}

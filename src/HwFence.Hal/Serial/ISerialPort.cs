namespace HwFence.Hal.Serial;

/// <summary>
/// An open, exclusively held, raw-mode serial line. Reads and writes block in poll(2) with a
/// timeout (no sleep loops). A vanished device (USB-serial unplugged: EIO, ENXIO, POLLHUP) throws
/// <see cref="SerialPortException"/> with <see cref="SerialPortException.Unplugged"/> set.
/// </summary>
public interface ISerialPort : IDisposable
{
    /// <summary>The device path, e.g. /dev/ttyS1, /dev/ttyUSB0, /dev/pts/7.</summary>
    string Device { get; }

    /// <summary>Reads what is available, waiting up to <paramref name="timeout"/>; returns 0 on timeout.</summary>
    int Read(Span<byte> buffer, TimeSpan timeout);

    /// <summary>Writes every byte, waiting for the line to drain up to <paramref name="timeout"/> in total.</summary>
    void Write(ReadOnlySpan<byte> buffer, TimeSpan timeout);
}

namespace HwFence.Hal.Serial;

/// <summary>Opens <see cref="TermiosSerialPort"/>s; the seam the serial heartbeat channel depends on.</summary>
/// <param name="lockDirectory">Where UUCP lock files go; null = /var/lock (FHS), falling back to /run/lock.</param>
public sealed class TermiosSerialPortFactory(string? lockDirectory = null) : ISerialPortFactory
{
    /// <inheritdoc/>
    public ISerialPort Open(string device, SerialPortSettings settings) => TermiosSerialPort.Open(device, settings, lockDirectory);
}

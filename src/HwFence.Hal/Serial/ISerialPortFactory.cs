namespace HwFence.Hal.Serial;

/// <summary>Opens serial ports (termios on Unix); a seam so tests can hand out substitutes.</summary>
public interface ISerialPortFactory
{
    ISerialPort Open(string device, SerialPortSettings settings);
}

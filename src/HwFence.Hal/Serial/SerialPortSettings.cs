namespace HwFence.Hal.Serial;

/// <summary>Line settings for a serial heartbeat cable.</summary>
/// <param name="BaudRate">9600–921600. Default 19200: the slowest line the default heartbeat interval must still fit.</param>
/// <param name="DataBits">5–8; heartbeats need 8.</param>
/// <param name="RtsCts">Hardware flow control; off by default because most null-modem heartbeat cables carry only TX/RX/GND.</param>
public sealed record SerialPortSettings(
    int BaudRate = 19200,
    int DataBits = 8,
    Parity Parity = Parity.None,
    StopBits StopBits = StopBits.One,
    bool RtsCts = false);

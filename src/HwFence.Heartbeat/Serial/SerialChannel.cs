using HwFence.Hal.Serial;
using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Serial;

/// <summary>
/// Heartbeats both ways over one serial cable. A timer from the injected <see cref="TimeProvider"/>
/// writes one framed heartbeat (<see cref="SerialFraming"/>) per interval; a dedicated reader thread
/// blocks in <see cref="ISerialPort.Read"/> (poll(2) with a timeout, no sleep loop) and feeds a
/// <see cref="SerialDeframer"/> whose frames go to the shared <see cref="FrameReceiver"/>. When the
/// device vanishes (USB adapter unplugged: EIO/ENXIO/hang-up) or fails, the path is reported
/// unusable and reopened with a doubling backoff until the device returns
/// (<see cref="ReopeningChannel{TResource}"/>).
/// </summary>
public sealed class SerialChannel : ReopeningChannel<ISerialPort>
{
    private readonly SerialChannelOptions _options;
    private readonly ISerialPortFactory _ports;
    private readonly SerialDeframer _deframer;
    private readonly object _writeGate = new();
    private readonly byte[] _readBuffer = new byte[4096];

    public SerialChannel(HeartbeatIdentity identity, SerialChannelOptions options, ChannelCallbacks callbacks, ISerialPortFactory ports, TimeProvider time)
        : base(identity, Validated(options).Path, callbacks, time, options.Interval, options.ReopenInitial, options.ReopenMax)
    {
        _options = options;
        _ports = ports;
        _deframer = new SerialDeframer(Deliver, Counters);
    }

    /// <summary>The deframer's damage counters (CRC, COBS, overruns).</summary>
    public SerialDeframer Deframer => _deframer;

    /// <summary>Sends one heartbeat now (the timer calls this every interval). Returns whether it was written.</summary>
    public bool SendHeartbeat()
    {
        Span<byte> frame = stackalloc byte[FrameLayout.Overhead + FrameLayout.MaxStateLength];
        int length = Sender.EncodeHeartbeat(frame);
        return Write(frame[..length]);
    }

    /// <summary>
    /// Sends an authenticated message to the node at the other end (same limit as the LAN,
    /// <see cref="FrameLayout.MaxMessageLength"/>; mind the line rate). Returns whether it was written.
    /// </summary>
    public bool SendMessage(int peerNodeId, ReadOnlySpan<byte> payload)
    {
        Span<byte> frame = stackalloc byte[FrameLayout.MaxFrameLength];
        int length = Sender.EncodeMessage(peerNodeId, payload, frame);
        return Write(frame[..length]);
    }

    private protected override void SendHeartbeatNow() => SendHeartbeat();

    private protected override ISerialPort Open() => _ports.Open(_options.Device, _options.Settings);

    private protected override bool IsResourceFailure(Exception error) => error is IOException or UnauthorizedAccessException;

    private protected override string DescribeOpenFailure(Exception error) => $"cannot open: {error.Message} —";

    private protected override void OnReopened() => _deframer.Reset(); // a partial frame from before the unplug is garbage

    private protected override void ReceiveOnce(ISerialPort port)
    {
        int n;
        try
        {
            n = port.Read(_readBuffer, _options.ReadTimeout);
        }
        catch (SerialPortException e) when (e.Unplugged && !IsDisposed)
        {
            Fail(port, $"device unplugged ({e.Message})");
            return;
        }

        _deframer.Feed(_readBuffer.AsSpan(0, n));
    }

    private bool Write(ReadOnlySpan<byte> frame)
    {
        ISerialPort? port = Current;
        if (port is null)
        {
            return false;
        }

        Span<byte> wire = stackalloc byte[SerialFraming.MaxWireLength];
        int n = SerialFraming.Encode(frame, wire);
        try
        {
            lock (_writeGate) // one frame's bytes must never interleave with another's
            {
                port.Write(wire[..n], _options.WriteTimeout);
            }

            Counters.OnSent();
            return true;
        }
        catch (SerialPortException e) when (!e.Unplugged)
        {
            Counters.OnSendError(); // e.g. write timeout under flow control; the line may recover
            return false;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Counters.OnSendError();
            Fail(port, e is SerialPortException { Unplugged: true } ? $"device unplugged ({e.Message})" : $"write failed: {e.Message}");
            return false;
        }
    }

    private static SerialChannelOptions Validated(SerialChannelOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
    }
}

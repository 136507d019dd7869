using HwFence.Hal.Serial;
using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Serial;

/// <summary>One serial heartbeat cable (it joins exactly two nodes).</summary>
public sealed class SerialChannelOptions
{
    /// <summary>The tty, e.g. /dev/ttyS1, /dev/ttyUSB0.</summary>
    public required string Device { get; init; }

    /// <summary>Line settings. Default 19200 8N1 without flow control (<see cref="SerialPortSettings"/>).</summary>
    public SerialPortSettings Settings { get; init; } = new();

    /// <summary>The node at the other end, when known (documentation and status; frames are accepted from whichever authenticated node is there, since re-cabling is legitimate).</summary>
    public int? PeerNodeId { get; init; }

    /// <summary>Send interval. Default 1 s (as the LAN); see <see cref="SerialFraming"/> for the 19200-baud budget.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one read blocks in poll(2) before the reader checks for shutdown. Default 250 ms: prompt shutdown, 4 wake-ups a second.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest a frame write may wait for the line to drain (flow control asserted, a stuck adapter). Default 1 s = the interval: a later beat must not queue behind a stuck one.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait before reopening a vanished device, doubling up to <see cref="ReopenMax"/>. Default 1 s.</summary>
    public TimeSpan ReopenInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between reopen attempts. Default 10 s: a re-plugged USB adapter is back within seconds.</summary>
    public TimeSpan ReopenMax { get; init; } = TimeSpan.FromSeconds(10);

    public PathId Path => PathId.Serial(Device);

    /// <summary>Returns every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Device))
        {
            errors.Add("serial: device is required (e.g. /dev/ttyS1).");
        }

        if (Settings.BaudRate is < 9600 or > 921600)
        {
            errors.Add($"serial {Device}: baud rate {Settings.BaudRate} must be 9600–921600.");
        }

        if (Settings.DataBits != 8)
        {
            errors.Add($"serial {Device}: heartbeat frames are binary and need 8 data bits, not {Settings.DataBits}.");
        }

        if (PeerNodeId is < 1 or > FrameLayout.MaxNodeId)
        {
            errors.Add($"serial {Device}: peer node id {PeerNodeId} must be 1–{FrameLayout.MaxNodeId}.");
        }

        if (Interval <= TimeSpan.Zero || ReadTimeout <= TimeSpan.Zero || WriteTimeout <= TimeSpan.Zero)
        {
            errors.Add($"serial {Device}: interval and timeouts must be positive.");
        }

        // Line budget: a maximal heartbeat must fit in the interval with room for the other direction's
        // echo-free full duplex — one frame per interval per direction, so require < 50 % of the line.
        double bitsPerByte = 1 + Settings.DataBits + (Settings.Parity == Parity.None ? 0 : 1) + (int)Settings.StopBits;
        double frameSeconds = SerialFraming.WireLength(FrameLayout.Overhead + FrameLayout.MaxStateLength) * bitsPerByte / Settings.BaudRate;
        if (frameSeconds > Interval.TotalSeconds / 2)
        {
            errors.Add($"serial {Device}: a full heartbeat takes {frameSeconds * 1000:0} ms at {Settings.BaudRate} baud, more than half the " +
                       $"{Interval.TotalMilliseconds:0} ms interval; raise the baud rate or the interval.");
        }

        if (ReopenInitial <= TimeSpan.Zero || ReopenMax < ReopenInitial)
        {
            errors.Add($"serial {Device}: reopen backoff {ReopenInitial}..{ReopenMax} must be positive and increasing.");
        }

        return errors;
    }
}

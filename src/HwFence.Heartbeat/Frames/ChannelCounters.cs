namespace HwFence.Heartbeat.Frames;

/// <summary>
/// What one path has sent, received and dropped, per drop reason; for <c>hwfence status</c> and
/// for tests. Updated with interlocked increments from channel threads, read at any time.
/// </summary>
public sealed class ChannelCounters
{
    private static readonly DropReason[] Reasons = Enum.GetValues<DropReason>().Where(r => r != DropReason.None).ToArray();
    private readonly long[] _drops = new long[Reasons.Max(r => (int)r) + 1];
    private long _sent;
    private long _accepted;
    private long _sendErrors;
    private long _framingErrors;

    /// <summary>Frames handed to the wire.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Frames that passed every check and were reported.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Sends that failed (socket error, serial write timeout).</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Byte-stream framing damage on a serial line (CRC mismatch, bad COBS, overlong run); no frame reached the decoder.</summary>
    public long FramingErrors => Interlocked.Read(ref _framingErrors);

    /// <summary>Frames dropped for <paramref name="reason"/>.</summary>
    public long Dropped(DropReason reason) => reason == DropReason.None ? 0 : Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>All frames dropped, any reason.</summary>
    public long DroppedTotal => Reasons.Sum(Dropped);

    /// <summary>Name/value pairs in a stable order, for status output.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        var list = new List<KeyValuePair<string, long>>
        {
            new("sent", Sent),
            new("accepted", Accepted),
            new("send-errors", SendErrors),
            new("framing-errors", FramingErrors),
        };
        foreach (var r in Reasons)
        {
            list.Add(new("drop-" + Kebab(r.ToString()), Dropped(r)));
        }

        return list;
    }

    internal void OnSent() => Interlocked.Increment(ref _sent);
    internal void OnSent(int count) => Interlocked.Add(ref _sent, count);
    internal void OnAccepted() => Interlocked.Increment(ref _accepted);
    internal void OnSendError() => Interlocked.Increment(ref _sendErrors);
    internal void OnFramingError() => Interlocked.Increment(ref _framingErrors);
    internal void OnDropped(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

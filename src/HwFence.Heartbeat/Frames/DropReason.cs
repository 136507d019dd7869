namespace HwFence.Heartbeat.Frames;

/// <summary>
/// Why a received frame was not reported. Every dropped frame is counted under exactly one reason
/// (<see cref="ChannelCounters"/>), so that <c>hwfence status</c> can tell a mis-keyed peer
/// (<see cref="BadTag"/>) from a second cluster on the same wire (<see cref="ForeignCluster"/>).
/// </summary>
public enum DropReason
{
    /// <summary>Not dropped.</summary>
    None = 0,

    /// <summary>Truncated, wrong magic, unknown type, a length that disagrees with the bytes, a field out of range.</summary>
    Malformed,

    /// <summary>A frame format version this build does not speak (a mixed-version cluster mid-upgrade).</summary>
    WrongVersion,

    /// <summary>The cluster id is not ours: another cluster shares this network or cable.</summary>
    ForeignCluster,

    /// <summary>The HMAC tag does not verify: tampered, corrupted, or the sender has a different key file.</summary>
    BadTag,

    /// <summary>An incarnation older than one already heard from this sender (a frame from before its restart).</summary>
    StaleIncarnation,

    /// <summary>A sequence number already accepted from this sender on this path.</summary>
    Replay,

    /// <summary>A sequence number older than the replay window (more than 64 behind the newest).</summary>
    OutOfWindow,

    /// <summary>Our own frame heard back (multicast loopback, a cable looped onto itself).</summary>
    OwnFrame,

    /// <summary>A message addressed to another node.</summary>
    NotForUs,
}

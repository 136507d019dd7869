namespace HwFence.Heartbeat.Frames;

/// <summary>
/// Anti-replay state for one sender on one path: the highest sequence accepted in the sender's
/// newest incarnation and a 64-bit bitmap of the 64 sequences below it — the sliding window of
/// IPsec ESP (RFC 4303 §3.4.3, RFC 6479), so that UDP reordering within 64 frames is tolerated and
/// every sequence is accepted at most once. Frames from an older incarnation are stale; a newer
/// incarnation (the sender restarted) resets the window. Must only be consulted after the tag
/// verified, otherwise a forged frame could advance it.
/// </summary>
public struct ReplayWindow
{
    /// <summary>Width of the window in sequences.</summary>
    public const int Size = 64;

    private ulong _incarnation;
    private ulong _highest; // 0 = nothing accepted yet in _incarnation
    private ulong _seen;    // bit i set = sequence (_highest - i) was accepted

    /// <summary>The incarnation the window tracks (0 before the first frame).</summary>
    public readonly ulong Incarnation => _incarnation;

    /// <summary>Highest sequence accepted in <see cref="Incarnation"/>.</summary>
    public readonly ulong Highest => _highest;

    /// <summary>Checks a sequence and, when fresh, records it.</summary>
    public DropReason CheckAndUpdate(ulong incarnation, ulong sequence)
    {
        if (incarnation < _incarnation)
        {
            return DropReason.StaleIncarnation;
        }

        if (incarnation > _incarnation || _highest == 0)
        {
            _incarnation = incarnation;
            _highest = sequence;
            _seen = 1;
            return DropReason.None;
        }

        if (sequence > _highest)
        {
            ulong shift = sequence - _highest;
            _seen = shift >= Size ? 1 : (_seen << (int)shift) | 1;
            _highest = sequence;
            return DropReason.None;
        }

        ulong behind = _highest - sequence;
        if (behind >= Size)
        {
            return DropReason.OutOfWindow;
        }

        ulong bit = 1UL << (int)behind;
        if ((_seen & bit) != 0)
        {
            return DropReason.Replay;
        }

        _seen |= bit;
        return DropReason.None;
    }
}

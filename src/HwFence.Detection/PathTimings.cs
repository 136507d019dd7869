namespace HwFence.Detection;

/// <summary>
/// The timings of one path kind (design.md "deadtime / warntime"). A path is Up while it was
/// heard within <see cref="Warntime"/>, Late after <see cref="Warntime"/> of silence, Down after
/// <see cref="Deadtime"/> of silence; a path never heard yet gets <see cref="Initdead"/> before it
/// may be Down, so a cluster that boots node by node does not fail over on its own start-up.
/// </summary>
/// <param name="Interval">How often the peer sends (or, for the drive pulse, changes its pulse).</param>
/// <param name="Warntime">Silence after which the path is Late (an alarm for operators, no action).</param>
/// <param name="Deadtime">Silence after which the path is Down.</param>
/// <param name="Initdead">Grace for a path that was never heard since the detector started watching it.</param>
public sealed record PathTimings(TimeSpan Interval, TimeSpan Warntime, TimeSpan Deadtime, TimeSpan Initdead)
{
    /// <summary>How many whole intervals fit in the deadtime: heartbeats that may be lost in a row without a Down.</summary>
    public int IntervalsPerDeadtime => Interval > TimeSpan.Zero ? (int)(Deadtime.Ticks / Interval.Ticks) : 0;

    public override string ToString() =>
        $"interval {Interval.TotalMilliseconds} ms, warntime {Warntime.TotalMilliseconds} ms, " +
        $"deadtime {Deadtime.TotalMilliseconds} ms, initdead {Initdead.TotalMilliseconds} ms";
}

using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>
/// Watches one path to one peer. <see cref="Record"/> runs on channel threads (short lock, no
/// allocation); <see cref="Evaluate"/> runs on the detector's tick and turns silence into a
/// <see cref="PathState"/> with the path kind's warntime, deadtime and initdead.
/// </summary>
internal sealed class PathMonitor
{
    private readonly Lock _gate = new();
    private readonly PhiAccrualEstimator? _phi;
    private readonly long _warnTicks;
    private readonly long _deadTicks;
    private readonly long _initdeadTicks;
    private readonly double _msPerTick;
    private long _lastHeard;
    private bool _heard;
    private ulong _incarnation;
    private ulong _sequence;

    public PathMonitor(PathId path, PathTimings timings, DetectorOptions options, long frequency, long watchStart)
    {
        Path = path;
        Timings = timings;
        _warnTicks = ToTicks(timings.Warntime, frequency);
        _deadTicks = ToTicks(timings.Deadtime, frequency);
        _initdeadTicks = ToTicks(timings.Initdead, frequency);
        _msPerTick = 1000.0 / frequency;
        WatchStart = watchStart;
        if (options.PhiEnabled)
        {
            _phi = new PhiAccrualEstimator(
                options.PhiWindowSize, timings.Interval.TotalMilliseconds * options.PhiMinStdDevFraction);
        }
    }

    public PathId Path { get; }

    public PathTimings Timings { get; }

    /// <summary>When the detector started watching this path (monotonic); initdead counts from here.</summary>
    public long WatchStart { get; set; }

    /// <summary>The state at the last evaluation; only the detector's evaluation writes it.</summary>
    public PathState State { get; set; } = PathState.Unknown;

    /// <summary>This node's own end of the path is usable (set by <see cref="IHeartbeatSink.OnLocalPathState"/>).</summary>
    public bool LocallyUsable { get; set; } = true;

    public string? LocalReason { get; set; }

    /// <summary>
    /// When this node's end became usable again (<see cref="long.MinValue"/> if never unusable):
    /// silence while it was unusable is no evidence, so the deadtime clock restarts there.
    /// </summary>
    public long UsableAgainAt { get; set; } = long.MinValue;

    public long DeadTicks => _deadTicks;

    /// <summary>Highest incarnation heard on this path.</summary>
    public ulong Incarnation
    {
        get
        {
            lock (_gate)
            {
                return _incarnation;
            }
        }
    }

    /// <summary>Records one heartbeat; false when it is from an older incarnation than already heard (stale).</summary>
    public bool Record(in HeartbeatReceipt receipt)
    {
        lock (_gate)
        {
            if (receipt.Incarnation < _incarnation)
            {
                return false;
            }

            if (receipt.Incarnation > _incarnation)
            {
                _incarnation = receipt.Incarnation;
            }

            if (_heard && receipt.ReceivedTimestamp > _lastHeard)
            {
                _phi?.Add((receipt.ReceivedTimestamp - _lastHeard) * _msPerTick);
            }

            if (!_heard || receipt.ReceivedTimestamp > _lastHeard)
            {
                _lastHeard = receipt.ReceivedTimestamp;
            }

            _heard = true;
            _sequence = receipt.Sequence;
            return true;
        }
    }

    /// <summary>
    /// The path's state at <paramref name="now"/>. <paramref name="wake"/> is the last local
    /// wake-up after a stall (<see cref="long.MinValue"/> if none): silence before it is not
    /// evidence, so the deadtime clock restarts there.
    /// </summary>
    public PathState Evaluate(long now, long wake)
    {
        if (!LocallyUsable)
        {
            return PathState.LocallyUnusable;
        }

        long last;
        bool heard;
        lock (_gate)
        {
            last = _lastHeard;
            heard = _heard;
        }

        if (heard && now - last < _warnTicks)
        {
            return PathState.Up;
        }

        if (!heard && now - WatchStart < _initdeadTicks)
        {
            return PathState.Unknown;
        }

        long downAt = heard ? last + _deadTicks : WatchStart + _initdeadTicks;
        long recheckFrom = Math.Max(wake, UsableAgainAt);
        if (recheckFrom != long.MinValue)
        {
            downAt = Math.Max(downAt, recheckFrom + _deadTicks);
        }

        return now >= downAt ? PathState.Down : PathState.Late;
    }

    /// <summary>Fills a snapshot entry (allocates; not for the hot path).</summary>
    public PathSnapshot Snapshot(long now, DateTimeOffset utcNow)
    {
        lock (_gate)
        {
            long since = _heard ? _lastHeard : WatchStart;
            double silenceMs = Math.Max(0, now - since) * _msPerTick;
            return new PathSnapshot(
                Path,
                State,
                _heard ? utcNow - TimeSpan.FromMilliseconds(silenceMs) : null,
                TimeSpan.FromMilliseconds(silenceMs),
                _heard && _phi is not null ? _phi.Phi(silenceMs) : 0,
                _sequence,
                LocalReason);
        }
    }

    internal static long ToTicks(TimeSpan t, long frequency) => (long)Math.Round(t.TotalSeconds * frequency);
}

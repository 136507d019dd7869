using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>
/// The dual-path failure detector (design.md "Detection", issue 5 "Detector"). Channels report
/// heartbeats through <see cref="IHeartbeatSink"/>; a periodic tick on the injected
/// <see cref="TimeProvider"/> turns silence into path states (Up / Late / Down), combines each
/// peer's paths into a <see cref="Verdict"/>, and publishes <see cref="DetectorEvent"/>s.
/// </summary>
/// <remarks>
/// <para><b>Verdicts.</b> Partitioned: at least one LAN path is configured, none is Up or Late,
/// and a serial path or the drive pulse is Up — an alarm, never a failover. Alive: any path Up.
/// Unknown: nothing Up and a path still within initdead. Dead: every configured path Down past
/// its deadtime, a path this node cannot use itself (<see cref="IHeartbeatSink.OnLocalPathState"/>)
/// counting as "no evidence", never as Down. Suspect otherwise.</para>
/// <para><b>Local-lateness guard.</b> The tick runs on the thread pool; a tick that comes more than
/// <see cref="DetectorOptions.StallThreshold"/> after it was due means this process was not
/// scheduled (SIGSTOP/SIGCONT, a GC pause, thread-pool starvation). Silence seen across such a gap
/// says nothing about peers — their heartbeats may be sitting unread in socket buffers — so every
/// path's deadtime clock restarts from the wake-up: peers get a full fresh deadtime on every path,
/// and until the largest deadtime has passed since the wake-up (<see cref="DetectorSnapshot.IsStalled"/>)
/// no Dead is emitted. A caller that evaluates while the tick is overdue triggers the same check.</para>
/// <para><b>Isolation.</b> This node is isolated when its own end of a disk path is unusable, or when
/// every path to every peer is Down and nothing shows that this node itself is still connected: with
/// two or more peers (everyone else dying at once is less likely than this node being cut off), or
/// with one peer and no usable drive-pulse path (the drive pulse read over a disk this node can
/// still reach is positive evidence that the peer stopped; without it, a lone silent peer and an
/// unplugged local cable look the same). While isolated or stalled, <see cref="CanTakeOver"/> is
/// false and the detector never emits Dead: a peer whose paths are all Down stays Suspect, its
/// <see cref="PeerSnapshot.DeadWithheldReason"/> says why, and a <see cref="DetectorEventKind.DeadWithheld"/>
/// event is published. (Chosen over "Dead but not actionable" so that no consumer can act on a
/// Dead it forgot to check.)</para>
/// <para><b>Threads.</b> <see cref="OnHeartbeat"/> is called concurrently from channel threads: a
/// scan of a small array and one short per-path lock, no allocation. Evaluation, events and
/// snapshots are serialised by one lock; observers are called synchronously, in order, under it,
/// and must return quickly.</para>
/// </remarks>
public sealed class FailureDetector : IHeartbeatSink, IObservable<DetectorEvent>, IDisposable
{
    private const int RecentEventCapacity = 256;

    private readonly DetectorOptions _options;
    private readonly TimeProvider _time;
    private readonly long _frequency;
    private readonly long _stallGapTicks;
    private readonly long _maxDeadTicks;
    private readonly Lock _evalGate = new();
    private readonly Dictionary<PathId, string> _locallyUnusable = new();
    private readonly DetectorEvent[] _recent = new DetectorEvent[RecentEventCapacity];
    private int _recentNext;
    private int _recentCount;
    private PeerMonitor[] _peers = [];
    private IObserver<DetectorEvent>[] _observers = [];
    private ITimer? _timer;
    private bool _started;
    private long _lastTick;
    private long _wake = long.MinValue;
    private bool _awaitingRecovery;
    private string? _recheckReason;
    private int _stallCount;
    private bool _isolated;
    private string? _isolationReason;
    private long _ignoredHeartbeats;
    private long _observerFaults;

    public FailureDetector(DetectorOptions options, TimeProvider time, IEnumerable<PeerDefinition>? peers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        DetectorOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _time = time;
        _frequency = time.TimestampFrequency;
        _stallGapTicks = PathMonitor.ToTicks(options.StallGap, _frequency);
        _maxDeadTicks = PathMonitor.ToTicks(options.MaxDeadtime, _frequency);
        foreach (PeerDefinition peer in peers ?? [])
        {
            AddPeer(peer);
        }
    }

    /// <summary>The options in force.</summary>
    public DetectorOptions Options => _options;

    /// <summary>Heartbeats dropped: unknown peer, unconfigured path, or an older incarnation than already heard.</summary>
    public long IgnoredHeartbeats => Interlocked.Read(ref _ignoredHeartbeats);

    /// <summary>Observer callbacks that threw (the exception is swallowed so that one bad consumer cannot stop detection).</summary>
    public long ObserverFaults => Interlocked.Read(ref _observerFaults);

    /// <summary>This node is isolated (own disk path gone, or every path to everyone Down): it must not take over.</summary>
    public bool IsIsolated
    {
        get
        {
            lock (_evalGate)
            {
                EvaluateNow(fromTick: false);
                return _isolated;
            }
        }
    }

    /// <summary>
    /// A Dead verdict from this node is actionable: the node is not isolated, not late, and not
    /// re-checking its paths after a stall.
    /// </summary>
    public bool CanTakeOver
    {
        get
        {
            lock (_evalGate)
            {
                long now = EvaluateNow(fromTick: false);
                return !_isolated && !IsStalledAt(now);
            }
        }
    }

    /// <summary>Starts watching: initdead of every configured path counts from now, and the tick starts.</summary>
    public void Start()
    {
        lock (_evalGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            long now = _time.GetTimestamp();
            foreach (PeerMonitor peer in _peers)
            {
                foreach (PathMonitor path in peer.Paths)
                {
                    path.WatchStart = now;
                }
            }

            _lastTick = now;
            _started = true;
            _timer = _time.CreateTimer(
                static state => ((FailureDetector)state!).Tick(), this, _options.TickPeriod, _options.TickPeriod);
        }
    }

    /// <summary>Adds a peer to watch; its paths' initdead counts from now (or from <see cref="Start"/>).</summary>
    public void AddPeer(PeerDefinition peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.Paths.Count == 0)
        {
            throw new ArgumentException($"peer node {peer.NodeId} ({peer.Name}): no paths configured — a peer needs at least one path to be watched", nameof(peer));
        }

        if (peer.Paths.Distinct().Count() != peer.Paths.Count)
        {
            throw new ArgumentException($"peer node {peer.NodeId} ({peer.Name}): a path is listed twice", nameof(peer));
        }

        lock (_evalGate)
        {
            if (_peers.Any(p => p.NodeId == peer.NodeId))
            {
                throw new ArgumentException($"peer node {peer.NodeId} ({peer.Name}) is already watched", nameof(peer));
            }

            long now = _time.GetTimestamp();
            var paths = new PathMonitor[peer.Paths.Count];
            for (int i = 0; i < paths.Length; i++)
            {
                PathId id = peer.Paths[i];
                paths[i] = new PathMonitor(id, _options.For(id.Kind), _options, _frequency, now);
                if (_locallyUnusable.TryGetValue(id, out string? reason))
                {
                    paths[i].LocallyUsable = false;
                    paths[i].LocalReason = reason;
                }
            }

            Volatile.Write(ref _peers, [.. _peers, new PeerMonitor(peer, paths)]);
        }
    }

    /// <inheritdoc />
    public void OnHeartbeat(in HeartbeatReceipt receipt)
    {
        PeerMonitor[] peers = Volatile.Read(ref _peers);
        for (int i = 0; i < peers.Length; i++)
        {
            if (peers[i].NodeId != receipt.PeerNodeId)
            {
                continue;
            }

            PathMonitor[] paths = peers[i].Paths;
            for (int j = 0; j < paths.Length; j++)
            {
                if (paths[j].Path.Equals(receipt.Path))
                {
                    if (!paths[j].Record(receipt))
                    {
                        Interlocked.Increment(ref _ignoredHeartbeats);
                    }

                    return;
                }
            }

            break;
        }

        Interlocked.Increment(ref _ignoredHeartbeats);
    }

    /// <inheritdoc />
    public void OnLocalPathState(PathId path, bool usable, string? reason)
    {
        lock (_evalGate)
        {
            bool was = !_locallyUnusable.ContainsKey(path);
            long now = _time.GetTimestamp();
            if (usable)
            {
                _locallyUnusable.Remove(path);
            }
            else
            {
                _locallyUnusable[path] = reason ?? "unusable";
            }

            foreach (PeerMonitor peer in _peers)
            {
                foreach (PathMonitor monitor in peer.Paths)
                {
                    if (monitor.Path.Equals(path))
                    {
                        if (usable && !monitor.LocallyUsable)
                        {
                            monitor.UsableAgainAt = now;
                        }

                        monitor.LocallyUsable = usable;
                        monitor.LocalReason = usable ? null : reason ?? "unusable";
                    }
                }
            }

            if (was != usable)
            {
                Publish(now, DetectorEventKind.LocalPathUsabilityChanged, null, path, null, null, null, null,
                    usable
                        ? $"{path}: usable again from this node{(reason is null ? "" : $" ({reason})")}"
                        : $"{path}: unusable from this node ({reason ?? "no reason given"}) — silence on it is not evidence about any peer");
            }

            if (_started)
            {
                EvaluateNow(fromTick: false);
            }
        }
    }

    /// <summary>The current verdict for a peer.</summary>
    public Verdict GetVerdict(int nodeId)
    {
        lock (_evalGate)
        {
            EvaluateNow(fromTick: false);
            return FindPeer(nodeId).Verdict;
        }
    }

    /// <summary>
    /// Every path to <paramref name="nodeId"/> is Down (or unusable from this end): this node cannot
    /// hear the peer at all, whether or not Dead was declared (it is withheld while this node is
    /// isolated or stalled). Such a peer is not reachable for quorum, though not dead for takeover.
    /// </summary>
    public bool IsSilent(int nodeId)
    {
        lock (_evalGate)
        {
            EvaluateNow(fromTick: false);
            foreach (PathMonitor path in FindPeer(nodeId).Paths)
            {
                if (path.State is not (PathState.Down or PathState.LocallyUnusable))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The whole view at this instant.</summary>
    public DetectorSnapshot Snapshot()
    {
        lock (_evalGate)
        {
            long now = EvaluateNow(fromTick: false);
            DateTimeOffset utcNow = _time.GetUtcNow();
            var peers = new PeerSnapshot[_peers.Length];
            for (int i = 0; i < peers.Length; i++)
            {
                PeerMonitor p = _peers[i];
                peers[i] = new PeerSnapshot(
                    p.NodeId,
                    p.Name,
                    p.Verdict,
                    p.ReportedIncarnation,
                    p.DeadWithheldReason,
                    p.Paths.Select(m => m.Snapshot(now, utcNow)).ToArray());
            }

            bool stalled = IsStalledAt(now);
            return new DetectorSnapshot(utcNow, _isolated, _isolationReason, stalled, !_isolated && !stalled, _stallCount, peers);
        }
    }

    /// <summary>The most recent events (up to 256), oldest first.</summary>
    public IReadOnlyList<DetectorEvent> RecentEvents()
    {
        lock (_evalGate)
        {
            var list = new List<DetectorEvent>(_recentCount);
            int start = (_recentNext - _recentCount + RecentEventCapacity) % RecentEventCapacity;
            for (int i = 0; i < _recentCount; i++)
            {
                list.Add(_recent[(start + i) % RecentEventCapacity]);
            }

            return list;
        }
    }

    /// <summary>Subscribes to every future event, delivered in order.</summary>
    public IDisposable Subscribe(IObserver<DetectorEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_evalGate)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    private bool _disposed;

    public void Dispose()
    {
        IObserver<DetectorEvent>[] observers;
        lock (_evalGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            observers = _observers;
            _observers = [];
        }

        foreach (IObserver<DetectorEvent> o in observers)
        {
            o.OnCompleted();
        }
    }

    private void Tick()
    {
        // System.Threading timers may overlap a slow callback; the late one just skips.
        if (!_evalGate.TryEnter())
        {
            return;
        }

        try
        {
            if (!_disposed)
            {
                EvaluateNow(fromTick: true);
            }
        }
        finally
        {
            _evalGate.Exit();
        }
    }

    private bool IsStalledAt(long now) =>
        (_started && now - _lastTick > _stallGapTicks) || (_wake != long.MinValue && now - _wake < _maxDeadTicks);

    /// <summary>Runs the lateness guard and one evaluation of every path and peer. Caller holds the gate.</summary>
    private long EvaluateNow(bool fromTick)
    {
        long now = _time.GetTimestamp();
        if (!_started)
        {
            return now;
        }

        CheckLocalLateness(now, fromTick);
        EvaluatePaths(now);
        EvaluateIsolation(now);
        EvaluateVerdicts(now);
        return now;
    }

    private void CheckLocalLateness(long now, bool fromTick)
    {
        long gap = now - _lastTick;
        if (gap > _stallGapTicks)
        {
            _stallCount++;
            _wake = now;
            _awaitingRecovery = true;
            _lastTick = now;
            _recheckReason = $"this node was stalled for {Ms(gap)} and re-checks its paths until " +
                $"{_time.GetUtcNow() + _options.MaxDeadtime:HH:mm:ss.fff}";
            Publish(now, DetectorEventKind.LocalStallDetected, null, null, null, null, null, null,
                $"this node was not scheduled for {Ms(gap)} (tick expected every {_options.TickPeriod.TotalMilliseconds:0} ms, " +
                $"threshold {_options.StallThreshold.TotalMilliseconds:0} ms): silence seen across the gap is not evidence; " +
                $"every path gets its deadtime again from now, no Dead verdict before {_options.MaxDeadtime.TotalMilliseconds:0} ms have passed");
            return;
        }

        if (fromTick)
        {
            _lastTick = now;
            if (_awaitingRecovery)
            {
                _awaitingRecovery = false;
                Publish(now, DetectorEventKind.LocalStallRecovered, null, null, null, null, null, null,
                    $"ticks on time again after a stall; re-checking every path until {Ms(_maxDeadTicks - (now - _wake))} from now");
            }
        }
    }

    private void EvaluatePaths(long now)
    {
        foreach (PeerMonitor peer in _peers)
        {
            foreach (PathMonitor path in peer.Paths)
            {
                PathState state = path.Evaluate(now, _wake);
                if (state != path.State)
                {
                    PathState old = path.State;
                    path.State = state;
                    Publish(now, DetectorEventKind.PathStateChanged, peer.NodeId, path.Path, old, state, null, null,
                        $"{peer}: {path.Path} {old} → {state}{DescribePathState(path, state)}");
                }
            }

            ulong incarnation = 0;
            foreach (PathMonitor path in peer.Paths)
            {
                incarnation = Math.Max(incarnation, path.Incarnation);
            }

            if (incarnation > peer.ReportedIncarnation)
            {
                ulong old = peer.ReportedIncarnation;
                peer.ReportedIncarnation = incarnation;
                if (old != 0)
                {
                    Publish(now, DetectorEventKind.PeerRestarted, peer.NodeId, null, null, null, null, null,
                        $"{peer}: incarnation {old} → {incarnation} — the peer restarted");
                }
            }
        }
    }

    private static string DescribePathState(PathMonitor path, PathState state) => state switch
    {
        PathState.Late => $" (silent past warntime {path.Timings.Warntime.TotalMilliseconds:0} ms)",
        PathState.Down => $" (silent past deadtime {path.Timings.Deadtime.TotalMilliseconds:0} ms)",
        PathState.LocallyUnusable => $" ({path.LocalReason})",
        _ => string.Empty,
    };

    private void EvaluateIsolation(long now)
    {
        string? reason = null;
        foreach (KeyValuePair<PathId, string> unusable in _locallyUnusable)
        {
            if (unusable.Key.Kind == PathKind.Disk)
            {
                reason = $"own disk path {unusable.Key} is gone ({unusable.Value})";
                break;
            }
        }

        if (reason is null && _peers.Length > 0)
        {
            bool allSilent = true;
            bool usableDiskPath = false;
            foreach (PeerMonitor peer in _peers)
            {
                foreach (PathMonitor path in peer.Paths)
                {
                    allSilent &= path.State is PathState.Down or PathState.LocallyUnusable;
                    usableDiskPath |= path.Path.Kind == PathKind.Disk && path.LocallyUsable;
                }
            }

            if (allSilent && (_peers.Length >= 2 || !usableDiskPath))
            {
                reason = _peers.Length >= 2
                    ? $"every path to all {_peers.Length} peers is Down — this node is more likely cut off than everyone else dead"
                    : "every path to the only peer is Down and no usable drive-pulse path shows that this node is still connected";
            }
        }

        bool isolated = reason is not null;
        if (isolated != _isolated)
        {
            _isolated = isolated;
            _isolationReason = reason;
            if (isolated)
            {
                Publish(now, DetectorEventKind.IsolationEntered, null, null, null, null, null, null,
                    $"this node is isolated: {reason}; it will not declare any peer Dead or take anything over");
            }
            else
            {
                Publish(now, DetectorEventKind.IsolationCleared, null, null, null, null, null, null,
                    "this node is no longer isolated");
            }
        }
        else if (isolated)
        {
            _isolationReason = reason;
        }
    }

    private void EvaluateVerdicts(long now)
    {
        bool stalled = IsStalledAt(now);
        foreach (PeerMonitor peer in _peers)
        {
            Verdict verdict = ComputeVerdict(peer, out bool allDown, out string? noEvidence);
            string? withheld = null;
            if (verdict == Verdict.Suspect && noEvidence is not null)
            {
                withheld = noEvidence;
            }
            else if (verdict == Verdict.Dead && _isolated)
            {
                withheld = $"this node is isolated ({_isolationReason})";
            }
            else if (verdict == Verdict.Dead && stalled)
            {
                withheld = _wake == long.MinValue || now - _lastTick > _stallGapTicks
                    ? "this node is late right now"
                    : _recheckReason;
            }

            if (verdict == Verdict.Dead && withheld is not null)
            {
                verdict = Verdict.Suspect;
            }

            if (withheld != peer.DeadWithheldReason)
            {
                peer.DeadWithheldReason = withheld;
                if (withheld is not null && (allDown || noEvidence is not null))
                {
                    Publish(now, DetectorEventKind.DeadWithheld, peer.NodeId, null, null, null, null, null,
                        $"{peer}: no Dead verdict — {withheld}");
                }
            }

            if (verdict != peer.Verdict)
            {
                Verdict old = peer.Verdict;
                peer.Verdict = verdict;
                Publish(now, DetectorEventKind.VerdictChanged, peer.NodeId, null, null, null, old, verdict,
                    $"{peer}: {old} → {verdict}{DescribePaths(peer)}");
            }

            bool partitioned = verdict == Verdict.Partitioned;
            if (partitioned != peer.PartitionAlarm)
            {
                peer.PartitionAlarm = partitioned;
                Publish(now, partitioned ? DetectorEventKind.PartitionAlarmRaised : DetectorEventKind.PartitionAlarmCleared,
                    peer.NodeId, null, null, null, null, null,
                    partitioned
                        ? $"ALARM {peer}: every LAN path is down but the peer is alive on{DescribeUpNonLan(peer)} — network partition, no failover; repair the LAN"
                        : $"{peer}: partition alarm cleared (verdict {verdict})");
            }
        }
    }

    /// <summary>The verdict from path states alone (before the local guards).</summary>
    private static Verdict ComputeVerdict(PeerMonitor peer, out bool allDown, out string? noEvidence)
    {
        bool anyUp = false, anyUnknown = false, lanConfigured = false, lanReachable = false, nonLanUp = false;
        allDown = true;
        noEvidence = null;
        foreach (PathMonitor path in peer.Paths)
        {
            PathState s = path.State;
            anyUp |= s == PathState.Up;
            anyUnknown |= s == PathState.Unknown;
            allDown &= s is PathState.Down or PathState.LocallyUnusable;
            if (path.Path.Kind == PathKind.Lan)
            {
                lanConfigured = true;
                lanReachable |= s is PathState.Up or PathState.Late or PathState.Unknown;
            }
            else
            {
                nonLanUp |= s == PathState.Up;
            }

            if (s == PathState.LocallyUnusable)
            {
                noEvidence ??= $"{path.Path} is unusable from this node ({path.LocalReason}), so it is no evidence that the peer is dead";
            }
        }

        if (anyUp)
        {
            noEvidence = null;
            return lanConfigured && !lanReachable && nonLanUp ? Verdict.Partitioned : Verdict.Alive;
        }

        if (anyUnknown)
        {
            noEvidence = null;
            return Verdict.Unknown;
        }

        if (allDown && noEvidence is null)
        {
            return Verdict.Dead;
        }

        if (!allDown)
        {
            noEvidence = null;
        }

        return Verdict.Suspect;
    }

    private static string DescribePaths(PeerMonitor peer) =>
        " (" + string.Join(", ", peer.Paths.Select(p => $"{p.Path} {p.State}")) + ")";

    private static string DescribeUpNonLan(PeerMonitor peer) =>
        " " + string.Join(", ", peer.Paths.Where(p => p.Path.Kind != PathKind.Lan && p.State == PathState.Up).Select(p => p.Path.ToString()));

    private PeerMonitor FindPeer(int nodeId)
    {
        foreach (PeerMonitor p in _peers)
        {
            if (p.NodeId == nodeId)
            {
                return p;
            }
        }

        throw new KeyNotFoundException($"node {nodeId} is not a watched peer — add it with AddPeer or the node's configuration");
    }

    private string Ms(long ticks) => $"{ticks * 1000.0 / _frequency:0} ms";

    private void Publish(long now, DetectorEventKind kind, int? peer, PathId? path, PathState? oldState, PathState? newState,
        Verdict? oldVerdict, Verdict? newVerdict, string message)
    {
        var e = new DetectorEvent(_time.GetUtcNow(), now, kind, peer, path, oldState, newState, oldVerdict, newVerdict, message);
        _recent[_recentNext] = e;
        _recentNext = (_recentNext + 1) % RecentEventCapacity;
        _recentCount = Math.Min(_recentCount + 1, RecentEventCapacity);
        foreach (IObserver<DetectorEvent> observer in _observers)
        {
            try
            {
                observer.OnNext(e);
            }
            catch (Exception)
            {
                // One consumer's bug must not stop failure detection; counted in ObserverFaults.
                Interlocked.Increment(ref _observerFaults);
            }
        }
    }

    private void Unsubscribe(IObserver<DetectorEvent> observer)
    {
        lock (_evalGate)
        {
            _observers = _observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
        }
    }

    private sealed class Subscription(FailureDetector owner, IObserver<DetectorEvent> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(observer);
            }
        }
    }
}

using HwFence.Heartbeat;
namespace HwFence.Detection.Tests;

/// <summary>
/// A scripted cluster seen from one node: a fake clock, a detector, the events it published, and
/// peers that send heartbeats on chosen paths at their kind's interval while time advances.
/// </summary>
internal sealed class Timeline : IDisposable, IObserver<DetectorEvent>
{
    public static readonly PathId Lan = PathId.Lan("10.0.0.2");
    public static readonly PathId Serial = PathId.Serial("/dev/ttyS1");
    public static readonly PathId Disk = PathId.Disk("iscsi://127.0.0.1:3260/iqn.2026-01.hwfence:shared/1");

    private readonly Dictionary<(int Peer, PathId Path), long> _nextBeat = new();
    private readonly HashSet<(int Peer, PathId Path)> _beating = new();
    private readonly Dictionary<(int Peer, PathId Path), ulong> _sequence = new();
    private readonly Dictionary<int, ulong> _incarnation = new();
    private readonly IDisposable _subscription;

    public Timeline(DetectorOptions? options = null, params PeerDefinition[] peers)
    {
        Options = options ?? new DetectorOptions();
        Detector = new FailureDetector(Options, Clock, peers.Length == 0 ? [DefaultPeer(2)] : peers);
        _subscription = Detector.Subscribe(this);
        StartTimestamp = Clock.GetTimestamp();
        Detector.Start();
    }

    public StallingClock Clock { get; } = new();

    public DetectorOptions Options { get; }

    public FailureDetector Detector { get; }

    public List<DetectorEvent> Events { get; } = new();

    public long StartTimestamp { get; }

    /// <summary>
    /// When each peer sent on each path (monotonic ticks), including frames sent while this node
    /// was frozen and read only after it woke up: the ground truth "the peer was alive".
    /// </summary>
    public Dictionary<(int Peer, PathId Path), List<long>> PeerSends { get; } = new();

    /// <summary>True when the peer sent on any path within that path's deadtime before <paramref name="at"/>.</summary>
    public bool PeerSentWithinDeadtime(int peer, long at)
    {
        foreach (KeyValuePair<(int Peer, PathId Path), List<long>> kv in PeerSends)
        {
            if (kv.Key.Peer != peer)
            {
                continue;
            }

            // Sends are recorded in time order: the latest one not after 'at' decides.
            for (int i = kv.Value.Count - 1; i >= 0; i--)
            {
                if (kv.Value[i] <= at)
                {
                    if (at - kv.Value[i] < Options.For(kv.Key.Path.Kind).Deadtime.Ticks)
                    {
                        return true;
                    }

                    break;
                }
            }
        }

        return false;
    }

    /// <summary>After a local stall, how long until the channel threads read what the peers sent meanwhile.</summary>
    public static readonly TimeSpan ReadDelayAfterWake = TimeSpan.FromMilliseconds(40);

    /// <summary>When each path last delivered a heartbeat (monotonic ticks).</summary>
    public Dictionary<(int Peer, PathId Path), long> LastSent { get; } = new();

    /// <summary>Milliseconds since the timeline started.</summary>
    public double NowMs => (Clock.GetTimestamp() - StartTimestamp) / (double)TimeSpan.TicksPerMillisecond;

    public static PeerDefinition DefaultPeer(int id) => new(id, $"node{id}", [Lan, Serial, Disk]);

    /// <summary>Peer <paramref name="peer"/> starts sending on <paramref name="paths"/> (one heartbeat now, then every interval).</summary>
    public Timeline Beat(int peer, params PathId[] paths)
    {
        foreach (PathId p in paths)
        {
            if (_beating.Add((peer, p)))
            {
                _nextBeat[(peer, p)] = Clock.GetTimestamp();
            }
        }

        SendDue();
        return this;
    }

    /// <summary>Peer <paramref name="peer"/> stops sending on <paramref name="paths"/> (all when empty).</summary>
    public Timeline Silence(int peer, params PathId[] paths)
    {
        foreach ((int Peer, PathId Path) key in _beating.Where(k => k.Peer == peer && (paths.Length == 0 || paths.Contains(k.Path))).ToList())
        {
            _beating.Remove(key);
        }

        return this;
    }

    /// <summary>The peer restarts: later heartbeats carry a higher incarnation.</summary>
    public void Restart(int peer) => _incarnation[peer] = Incarnation(peer) + 1;

    public ulong Incarnation(int peer) => _incarnation.TryGetValue(peer, out ulong i) ? i : 1;

    /// <summary>One heartbeat now on one path.</summary>
    public void Send(int peer, PathId path, ulong? incarnation = null)
    {
        ulong seq = _sequence.TryGetValue((peer, path), out ulong s) ? s + 1 : 1;
        _sequence[(peer, path)] = seq;
        LastSent[(peer, path)] = Clock.GetTimestamp();
        RecordPeerSend(peer, path, Clock.GetTimestamp());
        Detector.OnHeartbeat(new HeartbeatReceipt(peer, path, incarnation ?? Incarnation(peer), seq, Clock.GetTimestamp()));
    }

    /// <summary>Advances the clock in 5 ms steps, delivering due heartbeats (timers fire in order).</summary>
    public Timeline Run(double milliseconds)
    {
        long end = Clock.GetTimestamp() + (long)(milliseconds * TimeSpan.TicksPerMillisecond);
        while (Clock.GetTimestamp() < end)
        {
            long step = Math.Min(5 * TimeSpan.TicksPerMillisecond, end - Clock.GetTimestamp());
            Clock.Advance(TimeSpan.FromTicks(step));
            SendDue();
        }

        return this;
    }

    /// <summary>Runs until <paramref name="milliseconds"/> since the timeline started.</summary>
    public Timeline RunUntil(double milliseconds) => Run(Math.Max(0, milliseconds - NowMs));

    /// <summary>This node is frozen (SIGSTOP) for <paramref name="milliseconds"/>: no timer fires; the next tick comes late by the whole stall.</summary>
    public Timeline Stall(double milliseconds)
    {
        Clock.Stall(TimeSpan.FromMilliseconds(milliseconds));
        // The peers kept sending meanwhile; their frames wait in buffers and are read only
        // ReadDelayAfterWake after wake-up (one per path): the channel threads were frozen too
        // and the detector's overdue tick gets to run first — the race the lateness guard is for.
        long now = Clock.GetTimestamp();
        foreach ((int Peer, PathId Path) key in _beating)
        {
            for (long at = _nextBeat[key]; at < now; at += Options.For(key.Path.Kind).Interval.Ticks)
            {
                RecordPeerSend(key.Peer, key.Path, at);
            }

            _nextBeat[key] = Math.Max(_nextBeat[key], now + ReadDelayAfterWake.Ticks);
        }

        return this;
    }

    public Verdict Verdict(int peer = 2) => Detector.GetVerdict(peer);

    public PathState State(PathId path, int peer = 2) =>
        Detector.Snapshot().Peers.Single(p => p.NodeId == peer).Paths.Single(p => p.Path == path).State;

    /// <summary>Time (ms since start) of the first event matching <paramref name="match"/>, or null.</summary>
    public double? At(Func<DetectorEvent, bool> match)
    {
        DetectorEvent? e = Events.FirstOrDefault(match);
        return e is null ? null : (e.Timestamp - StartTimestamp) / (double)TimeSpan.TicksPerMillisecond;
    }

    public double? VerdictAt(Verdict verdict, int peer = 2) =>
        At(e => e.Kind == DetectorEventKind.VerdictChanged && e.NewVerdict == verdict && e.PeerNodeId == peer);

    public IEnumerable<DetectorEvent> OfKind(DetectorEventKind kind) => Events.Where(e => e.Kind == kind);

    private void RecordPeerSend(int peer, PathId path, long at)
    {
        if (!PeerSends.TryGetValue((peer, path), out List<long>? list))
        {
            PeerSends[(peer, path)] = list = new List<long>();
        }

        list.Add(at);
        if (list.Count > 64)
        {
            list.RemoveRange(0, 32);
        }
    }

    private void SendDue()
    {
        long now = Clock.GetTimestamp();
        foreach ((int Peer, PathId Path) key in _beating.ToList())
        {
            if (_nextBeat[key] <= now)
            {
                Send(key.Peer, key.Path);
                _nextBeat[key] = now + Options.For(key.Path.Kind).Interval.Ticks;
            }
        }
    }

    public void OnNext(DetectorEvent value) => Events.Add(value);

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose()
    {
        _subscription.Dispose();
        Detector.Dispose();
    }
}

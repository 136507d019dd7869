using System.Net;
using System.Text.Json;
using HwFence.Cluster;
using HwFence.Cluster.Adapters;
using HwFence.Cluster.Api;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Failover;
using HwFence.Cluster.Supervisor;
using HwFence.Detection;
using HwFence.Emulator.Loopback;
using HwFence.Fencing;
using HwFence.Fencing.Scsi;
using HwFence.Fencing.SelfFence;
using HwFence.Hal.Serial;
using HwFence.Hal.Watchdog;
using HwFence.Heartbeat;
using HwFence.Heartbeat.DrivePulse;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Serial;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;
using ConfigPulse = HwFence.Cluster.Configuration.DrivePulseKind;
using PulseKind = HwFence.Heartbeat.DrivePulse.DrivePulseKind;

namespace HwFence.Cli.Node;

/// <summary>
/// One node's daemon (<c>hwfence node run</c>): wires the configuration's paths, the failure
/// detector, the fence devices, the supervisor and the cluster manager together, in the order
/// that keeps the invariants: this node registers its key (unfences itself) before it pulses or
/// hosts anything, listens on every path before it acts, and resynchronises its database with its
/// groups before it starts an application.
/// </summary>
internal sealed class NodeHost : IAsyncDisposable
{
    /// <summary>First block of the disk-slot area on a shared disk (block 0 is left to partition tables).</summary>
    public const ulong SlotAreaLba = 8;

    private readonly ClusterConfig _config;
    private readonly NodeConfig _self;
    private readonly string _stateDir;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<IHeartbeatChannel> _channels = new();
    private readonly List<IAsyncDisposable> _asyncDisposables = new();
    private readonly List<IDisposable> _disposables = new();
    private readonly Dictionary<string, ScsiPrFenceDevice> _fenceDevices = new();
    private FailureDetector? _detector;
    private ClusterNode? _node;
    private ProcessSupervisor? _supervisor;
    private SelfFenceGuard? _selfFence;
    private EventBus? _events;
    private ITimer? _statusTimer;
    private volatile bool _ownKeyRemoved;
    private readonly TaskCompletionSource<string> _selfFenced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _healthStop = new();
    private readonly List<DrivePulseChannel> _pulses = new();
    private Task? _healthLoop;

    public NodeHost(ClusterConfig config, string nodeName, string? stateDirOverride)
    {
        _config = config;
        _self = config.FindNode(nodeName)
            ?? throw new ArgumentException($"{config.SourceFile}: no node named '{nodeName}' (nodes: {string.Join(", ", config.Nodes.Select(n => n.Name))})");
        _stateDir = stateDirOverride ?? config.StateDirectory;
    }

    public string StatusPath => Path.Combine(_stateDir, "status.json");
    public string EventLogPath => Path.Combine(_stateDir, "events.jsonl");

    /// <summary>The operator control socket (<c>hwfence app …</c>, <c>hwfence group …</c>).</summary>
    public string ControlSocketPath => Path.Combine(_stateDir, ControlSocketName);

    /// <summary>File name of the control socket in the state directory.</summary>
    public const string ControlSocketName = "control.sock";

    private void Log(string message) =>
        Console.Out.WriteLine($"{_time.GetUtcNow():HH:mm:ss.fff} {_self.Name}: {message}");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_stateDir);
        File.Delete(StatusPath); // a status file describes a live daemon: never let a dead one's linger
        var key = ClusterKey.Load(_config.KeyFile);
        ulong incarnation = IncarnationStore.Next(_stateDir, _time);
        var identity = new HeartbeatIdentity((ulong)_config.Id, _self.Id, incarnation, key);
        Log($"starting: node id {_self.Id}, incarnation {incarnation}, state {_stateDir}");

        var eventLog = new JsonLineEventLog(EventLogPath);
        _disposables.Add(eventLog);
        var console = new ConsoleEventSink(Log);
        var rig = new RigEventLogSink(Path.Combine(_stateDir, "rig-events.jsonl"), _self.Id, _config, incarnation, _time.GetUtcNow());
        _disposables.Add(rig);
        _events = new EventBus(eventLog, console, rig);
        _disposables.Add(_events);

        // 1. Detector, with the configuration's timings on every path kind.
        var options = DetectorOptionsFrom(_config.Timings);
        _detector = new FailureDetector(options, _time, PeerDefinitions());
        _disposables.Add(_detector);
        _disposables.Add(_detector.Subscribe(rig));

        var messenger = new LanMessenger();
        var callbacks = new ChannelCallbacks(_detector, messenger);

        // 2. Shared disks: open, register our key (unfence), then pulse.
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        var devicesByDisk = new Dictionary<string, ScsiDevice>();
        foreach (var disk in _self.Disks)
        {
            var device = await factory.OpenDeviceAsync(disk.Address, new ScsiTransportOpenOptions
            {
                InitiatorName = InitiatorName(_self),
                TimeProvider = _time,
            }, cancellationToken).ConfigureAwait(false);
            _asyncDisposables.Add(device);
            devicesByDisk[disk.Name] = device;
            var fence = new ScsiPrFenceDevice([FencingDisk.SinglePath(device)], RegistrationKey.Derive(_config.Name, _self.Id),
                new ScsiPrFenceOptions { ClusterName = _config.Name }, Log);
            fence.OwnKeyRemoved += OnOwnKeyRemoved;
            _asyncDisposables.Add(fence);
            _fenceDevices[disk.Name] = fence;
            var unfenced = await fence.RegisterOwnKeyAsync(cancellationToken).ConfigureAwait(false);
            Log(unfenced.Succeeded ? $"unfenced on {disk.Name}: {unfenced.Message}" : $"could not register on {disk.Name}: {unfenced.Message}");
        }

        // 3. Paths: LAN rings, serial cables, drive pulses.
        for (int ring = 0; ring < _self.Lan.Count; ring++)
        {
            var lan = new LanChannel(identity, new LanChannelOptions
            {
                LocalEndPoint = IPEndPoint.Parse(_self.Lan[ring]),
                Peers = _config.Nodes.Where(n => n.Id != _self.Id && n.Lan.Count > ring)
                    .Select(n => new LanPeer(n.Id, IPEndPoint.Parse(n.Lan[ring]))).ToList(),
                PathName = LanPathName(ring),
                Interval = options.Lan.Interval,
            }, callbacks, _time);
            messenger.Attach(lan);
            _channels.Add(lan);
        }

        foreach (var link in _self.Serial)
        {
            var peer = _config.FindNode(link.Peer)!;
            _channels.Add(new SerialChannel(identity, new SerialChannelOptions
            {
                Device = link.Tty,
                // serial[].baud, default 115200 8N1 (SerialLinkConfig). ptys ignore the rate.
                Settings = new SerialPortSettings(BaudRate: link.Baud),
                PeerNodeId = peer.Id,
                Interval = options.Serial.Interval,
            }, callbacks, new TermiosSerialPortFactory(), _time));
        }

        foreach (var disk in _self.Disks.Where(d => d.Pulse != ConfigPulse.None))
        {
            var peers = SharingPeers(disk.Name).ToList();
            var pulse = DrivePulseChannel.Create(identity, new DrivePulseOptions
            {
                Device = disk.Name,
                Kind = disk.Pulse switch
                {
                    ConfigPulse.Reserve => PulseKind.ReserveToggle,
                    ConfigPulse.PrGeneration => PulseKind.PrGeneration,
                    _ => PulseKind.DiskSlot,
                },
                PeerNodeIds = peers.Select(p => p.Id).ToList(),
                OwnKey = RegistrationKey.Derive(_config.Name, _self.Id).Value,
                PeerKeys = peers.ToDictionary(p => p.Id, p => RegistrationKey.Derive(_config.Name, p.Id).Value),
                SlotAreaLba = SlotAreaLba,
                Interval = options.Disk.Interval,
                // A command that has not answered within deadtime is as good as a lost path.
                CommandTimeout = options.Disk.Deadtime,
            }, devicesByDisk[disk.Name], callbacks, _time);
            _pulses.Add(pulse);
            _channels.Add(pulse);
        }

        foreach (var channel in _channels)
        {
            channel.Start();
        }

        _detector.Start();

        // 4. Supervisor, self-fence guard and the cluster manager.
        _supervisor = new ProcessSupervisor(_self.Name, _config.Timings.StopGrace, _time, _events);
        _supervisor.Output += (tag, stream, line) => Log($"[{tag}] {line}");
        _supervisor.CommonEnvironment["HWFENCE_NODE"] = _self.Name;
        _supervisor.CommonEnvironment["HWFENCE_NODE_ID"] = _self.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _supervisor.CommonEnvironment["HWFENCE_INITIATOR_NAME"] = InitiatorName(_self) + ":app";
        _supervisor.CommonEnvironment["HWFENCE_REGISTRATION_KEY"] = RegistrationKey.Derive(_config.Name, _self.Id).ToString();
        _supervisor.CommonEnvironment["HWFENCE_INCARNATION"] = incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _supervisor.CommonEnvironment["HWFENCE_STATE_DIR"] = _stateDir;
        _supervisor.StartVeto = _ => StartVeto();
        _disposables.Add(_supervisor);

        var watchdog = new SoftwareWatchdog(_config.Timings.Deadtime * 2, _time, recordPath: Path.Combine(_stateDir, "watchdog-expired"));
        _selfFence = new SelfFenceGuard(
            watchdog,
            [HealthCheck.OwnKeyRegistered(() => !_ownKeyRemoved), HealthCheck.DetectorNotStalled(() => !_detector.IsIsolated)],
            (reason, message) => StopEverything(reason.ToString(), message),
            Log,
            _time);
        _disposables.Add(_selfFence);
        _selfFence.Start();

        var verdicts = new DetectorVerdictSource(_detector, _self.Name, _events);
        _disposables.Add(verdicts);
        var fencesByGroup = _config.Groups.ToDictionary(
            g => g.Name,
            g => (IReadOnlyList<IFenceDevice>)g.Fencing
                .Select(f => f.StartsWith("scsi3-pr:", StringComparison.Ordinal) && _fenceDevices.TryGetValue(f["scsi3-pr:".Length..], out var d) ? d : null)
                .OfType<IFenceDevice>().ToList());
        foreach (var g in _config.Groups.Where(g => g.Owners.Contains(_self.Name)))
        {
            // The daemon drives scsi3-pr fencing; a method it cannot drive yet must not look active.
            foreach (var method in g.Fencing.Where(f => !f.StartsWith("scsi3-pr:", StringComparison.Ordinal)))
            {
                Log($"WARNING: group '{g.Name}': fencing method '{method}' is not driven by the node daemon (only scsi3-pr:<disk> is); failover for this group relies on its other methods");
            }

            if (g.Owners.Count > 1 && fencesByGroup[g.Name].Count == 0)
            {
                throw new ArgumentException($"{_config.SourceFile}: group '{g.Name}' has no fencing method this node can use (configured: {string.Join(", ", g.Fencing)}; usable: scsi3-pr:<disk> on a disk of node {_self.Name}); without a verified fence it could never fail over — add one");
            }
        }

        var tiebreak = _config.Groups.Where(g => g.TiebreakDisk is not null && _fenceDevices.ContainsKey(g.TiebreakDisk))
            .ToDictionary(g => g.Name, g => (IFenceDevice)_fenceDevices[g.TiebreakDisk!]);

        var store = new SqliteClusterStore(Path.Combine(_stateDir, "cluster.db"));
        _disposables.Add(store);
        _node = new ClusterNode(new ClusterNodeServices
        {
            Config = _config,
            NodeName = _self.Name,
            Store = store,
            Messenger = messenger,
            Verdicts = verdicts,
            Fencer = new FenceDeviceFencer(fencesByGroup, _config.Timings.FenceTimeout),
            Runner = _supervisor,
            ResourceProbe = new LocalResourceProbe(_self.Name),
            Events = _events,
            Time = _time,
            TieBreaker = tiebreak.Count > 0 ? new FenceDeviceTieBreaker(tiebreak) : null,
            SelfFence = new SelfFenceGuardAdapter(_selfFence),
            Incarnation = (long)incarnation,
        });
        _asyncDisposables.Insert(0, _node);

        // The cluster-aware API (api.sock, 0660) and the operator control socket (control.sock, 0600).
        var api = new ClusterApiServer(Path.Combine(_stateDir, "api.sock"), new ClusterNodeApiHandler(_node), _time);
        _node.AwareApplications = api;
        _supervisor.CommonEnvironment["HWFENCE_API_SOCKET"] = api.SocketPath;
        _asyncDisposables.Insert(0, api);
        _asyncDisposables.Insert(0, new ClusterControlServer(ControlSocketPath, new ClusterNodeControlHandler(_node)));

        // Let every path be heard once before acting (initdead bounds it).
        await _node.StartAsync(cancellationToken).ConfigureAwait(false);
        _statusTimer = _time.CreateTimer(_ => WriteStatus(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        _healthLoop = Task.Run(() => HealthLoopAsync(options.Disk.Interval, options.Disk.Deadtime, _healthStop.Token));
        Log("ready");
    }

    private void OnOwnKeyRemoved(string device)
    {
        if (_ownKeyRemoved)
        {
            return;
        }

        _ownKeyRemoved = true;
        _selfFence?.ReportKeyRemoved(device);
        // The guard stops applications through StopEverything; make sure it happens even without it.
        StopEverything("KeyRemoved", $"this node's registration key is gone from {device}: a peer fenced it");
    }

    /// <summary>Self-fence: stop every application at once; the guard stops feeding the watchdog.</summary>
    private void StopEverything(string reason, string message)
    {
        if (_selfFenced.Task.IsCompleted)
        {
            return;
        }

        Log($"SELF-FENCE ({reason}): {message} — stopping every application now");
        _events?.Publish(new ClusterEvent(_time.GetUtcNow(), ClusterEventKind.SelfFenceRequested, _self.Name, message));
        if (_supervisor is { } s)
        {
            foreach (var app in _config.Applications)
            {
                if (s.IsRunning(app.Tag))
                {
                    s.StopAsync(app.Tag).GetAwaiter().GetResult();
                }
            }
        }

        _selfFenced.TrySetResult($"{reason}: {message}");
    }

    /// <summary>Completes when this node fenced itself (its applications are stopped); the daemon then exits, as a watchdog reset would end it.</summary>
    public Task<string> SelfFenced => _selfFenced.Task;

    /// <summary>Why this node must not start an application now, or null.</summary>
    private string? StartVeto()
    {
        if (_selfFenced.Task.IsCompleted || (_selfFence?.IsSelfFenced ?? false))
        {
            return "this node fenced itself";
        }

        if (_ownKeyRemoved)
        {
            return "this node's registration key was removed from the shared disk (it was fenced by a peer)";
        }

        // Look at the disk itself: after a freeze the flag may not have caught up yet.
        foreach (var (disk, fence) in _fenceDevices)
        {
            using var cts = new CancellationTokenSource(_config.Timings.Deadtime * 2);
            FenceStatus status;
            try
            {
                status = fence.KeyStatusAsync(fence.OwnKey, cts.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return $"shared disk {disk} did not answer READ KEYS within {(_config.Timings.Deadtime * 2).TotalMilliseconds:0} ms";
            }

            if (status == FenceStatus.Off)
            {
                OnOwnKeyRemoved(disk);
                return $"this node's registration key is not registered on {disk} (fenced by a peer)";
            }
        }

        return null;
    }

    /// <summary>
    /// Watches this node's own health while it runs: its registration key still on every fencing
    /// disk (a peer may have fenced it while it was frozen), and its drive-pulse paths usable. A
    /// node that lost its key, or lost its disk path for longer than deadtime while hosting an
    /// application, fences itself: it stops every application at once and the daemon exits.
    /// </summary>
    private async Task HealthLoopAsync(TimeSpan period, TimeSpan deadtime, CancellationToken ct)
    {
        var unusableSince = new Dictionary<DrivePulseChannel, long>();
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                foreach (var (disk, fence) in _fenceDevices)
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    cts.CancelAfter(deadtime * 2);
                    try
                    {
                        if (await fence.KeyStatusAsync(fence.OwnKey, cts.Token).ConfigureAwait(false) == FenceStatus.Off)
                        {
                            OnOwnKeyRemoved(disk);
                        }
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // Unanswered: the pulse's own timeout below judges the path.
                    }
                }

                bool hosting = _config.Applications.Any(a => _supervisor?.IsRunning(a.Tag) == true);
                foreach (var pulse in _pulses)
                {
                    if (pulse.LocallyUsable)
                    {
                        unusableSince.Remove(pulse);
                        continue;
                    }

                    long since = unusableSince.TryGetValue(pulse, out var t) ? t : unusableSince[pulse] = _time.GetTimestamp();
                    if (hosting && _time.GetElapsedTime(since) > deadtime)
                    {
                        StopEverything("DiskPathLost", $"{pulse.Path} unusable from this node for more than {deadtime.TotalMilliseconds:0} ms ({pulse.LastProblem ?? "no answer"}) while hosting; a host that cannot write the shared disk must not serve");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void WriteStatus()
    {
        if (_node is null || _detector is null)
        {
            return;
        }

        try
        {
            var status = new NodeStatusFile(_node.GetStatus(), _detector.Snapshot(), _selfFence?.IsSelfFenced ?? false, _time.GetUtcNow(), _node.PendingFailbacks);
            string tmp = StatusPath + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(status, NodeStatusFile.Json));
            File.Move(tmp, StatusPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Log($"cannot write {StatusPath}: {e.Message}");
        }
    }

    private DetectorOptions DetectorOptionsFrom(TimingsOptions t)
    {
        var timings = new PathTimings(t.Keepalive, t.Warntime, t.Deadtime, t.Initdead);
        var o = new DetectorOptions { Lan = timings, Serial = timings, Disk = timings };
        DetectorOptionsValidator.ThrowIfInvalid(o);
        return o;
    }

    private IEnumerable<PeerDefinition> PeerDefinitions()
    {
        foreach (var peer in _config.Nodes.Where(n => n.Id != _self.Id))
        {
            var paths = new List<PathId>();
            for (int ring = 0; ring < Math.Min(_self.Lan.Count, peer.Lan.Count); ring++)
            {
                paths.Add(PathId.Lan(LanPathName(ring)));
            }

            paths.AddRange(_self.Serial.Where(s => s.Peer == peer.Name).Select(s => PathId.Serial(s.Tty)));
            paths.AddRange(_self.Disks.Where(d => d.Pulse != ConfigPulse.None && peer.Disks.Any(p => p.Name == d.Name)).Select(d => PathId.Disk(d.Name)));
            yield return new PeerDefinition(peer.Id, peer.Name, paths);
        }
    }

    private IEnumerable<NodeConfig> SharingPeers(string diskName) =>
        _config.Nodes.Where(n => n.Id != _self.Id && n.Disks.Any(d => d.Name == diskName));

    private static string LanPathName(int ring) => $"ring{ring}";

    /// <summary>The iSCSI initiator name this node uses: reservations belong to it.</summary>
    public static string InitiatorName(NodeConfig node) => $"iqn.2026-01.org.hwfence:node:{node.Name}";

    public async ValueTask DisposeAsync()
    {
        _healthStop.Cancel();
        if (_healthLoop is not null)
        {
            await _healthLoop.ConfigureAwait(false);
        }

        _healthStop.Dispose();
        _statusTimer?.Dispose();
        File.Delete(StatusPath);
        foreach (var c in _channels)
        {
            c.Dispose();
        }

        foreach (var d in _asyncDisposables)
        {
            try
            {
                await d.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log($"shutdown: {e.Message}");
            }
        }

        for (int i = _disposables.Count - 1; i >= 0; i--)
        {
            try
            {
                _disposables[i].Dispose();
            }
            catch (Exception e)
            {
                Log($"shutdown: {e.Message}");
            }
        }
    }
}

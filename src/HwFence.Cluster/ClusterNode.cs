using HwFence.Cluster.Api;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Failover;
using HwFence.Cluster.Quorum;
using HwFence.Cluster.RedundancyGroups;
using HwFence.Cluster.Registration;
using HwFence.Cluster.Replication;
using HwFence.Detection;

namespace HwFence.Cluster;

/// <summary>
/// The cluster manager of one node. It reacts to verdicts, replicated records, process exits and
/// operator commands by running one <em>reconcile pass</em> at a time: compare what the
/// database says (HOST, PRIMARY, BACKUPS, peer statuses) and what the detector says with what
/// runs here, and act — per-group quorum, failover (quorum → RESOURCES → verified fence → HOST
/// committed with quorum → start), failback (stop, verify, hand over), registration. Passes are
/// idempotent and serialised; a periodic pass (timings.reconcile_interval) retries what failed
/// (a fence that did not verify, a commit without quorum).
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly ClusterNodeServices _s;
    private readonly ClusterConfig _config;
    private readonly ReplicationScope _scope;
    private readonly ClusterDatabase _db;
    private readonly Replicator _replicator;
    private readonly QuorumCommitter _committer;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<string, bool> _quorum = new();
    private readonly HashSet<string> _tiebreakWon = new();
    private readonly Dictionary<string, string> _missing = new();
    private readonly Dictionary<string, string> _exhausted = new();
    private readonly HashSet<string> _awaitingFailback = new();
    private readonly HashSet<string> _deferredStartupLoads = new();
    private readonly HashSet<string> _failbackPending = new();
    private readonly HashSet<string> _failbackConfirmed = new();
    private readonly HashSet<string> _pausedAware = new();
    private readonly Dictionary<int, Verdict> _lastVerdicts = new();
    private ITimer? _timer;
    private bool _dirty;
    private bool _looping;
    private int _detachedWork;
    private long _passes;
    private Task _loop = Task.CompletedTask;
    private bool _ready;
    private volatile bool _startupLoadsDone;
    private bool _selfFenced;
    private bool _disposed;
    private NodeStatus? _publishedStatus;

    public ClusterNode(ClusterNodeServices services)
    {
        _s = services;
        _config = services.Config;
        if (_config.FindNode(services.NodeName) is not { } me)
        {
            throw new ArgumentException($"node '{services.NodeName}' is not in {_config.SourceFile} (nodes: {string.Join(", ", _config.Nodes.Select(n => n.Name))}); pass --node with one of them");
        }

        Self = me;
        AwareApplications = services.AwareApplications;
        _scope = new ReplicationScope(_config);
        _db = new ClusterDatabase(services.Store, me.Id);
        _replicator = new Replicator(me.Id, _scope, services.Store, services.Messenger, services.Time);
        _committer = new QuorumCommitter(_replicator, _db, services.TieBreaker, _config.Timings.QuorumAckTimeout);
        RedundancyGroups = new RedundancyGroupManager(_config.RedundancyGroups, me.Name, services.Time, services.Events);
        _replicator.RecordApplied += OnRecordApplied;
        _replicator.ProtocolError += m => Publish(ClusterEventKind.VerdictChanged, m);
        services.Verdicts.VerdictChanged += OnVerdictChanged;
        services.Runner.FailoverRequested += OnFailoverRequested;
    }

    public NodeConfig Self { get; }

    /// <summary>How to reach cluster-aware applications on this node (the API server, which itself needs this node, so it can be set after construction).</summary>
    public IAwareApplicationChannel? AwareApplications { get; set; }
    public string Name => Self.Name;
    public ClusterDatabase Database => _db;

    /// <summary>Redundancy groups: membership and task holders, kept in cluster-level records.</summary>
    public RedundancyGroupManager RedundancyGroups { get; }
    public Replicator Replicator => _replicator;

    /// <summary>True once the node resynchronised with its groups and may act.</summary>
    public bool Ready => _ready;

    /// <summary>Per owned group: whether it has quorum (as of the last pass).</summary>
    public IReadOnlyDictionary<string, bool> Quorum
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, bool>(_quorum);
            }
        }
    }

    /// <summary>Applications this node hosts as a backup that wait for <c>app failback TAG</c>.</summary>
    public IReadOnlyCollection<string> PendingFailbacks
    {
        get
        {
            lock (_gate)
            {
                return _failbackPending.ToList();
            }
        }
    }

    // ---------------------------------------------------------------- start-up and registration

    /// <summary>
    /// Resynchronises with every peer the detector hears (a restarted node acts only after that,
    /// or after timings.resync_timeout with what it has), announces itself Ready, loads the
    /// configured applications of its groups and starts the periodic reconcile.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        PublishStatus();
        await WaitForFirstVerdictsAsync(cancellationToken).ConfigureAwait(false);
        var peers = _scope.AllNodes.Where(n => n != Self.Id && IsPresent(n)).ToList();
        bool complete = await _replicator.ResyncAsync(peers, _config.Timings.ResyncTimeout, cancellationToken).ConfigureAwait(false);
        Publish(ClusterEventKind.ResyncCompleted, complete
            ? $"resynchronised with {peers.Count} peer(s) before acting"
            : $"resync timed out after {_config.Timings.ResyncTimeout.TotalSeconds:0.#} s; acting on the records received so far");
        _ready = true;
        PublishStatus();
        foreach (var app in _config.Applications.Where(a => OwnsGroup(a.Group)))
        {
            await LoadAtStartupAsync(app.Tag, cancellationToken).ConfigureAwait(false);
        }

        // Applications added at run time (hwfence app add, the API) are not in the config: after a
        // restart this node loads those it hosted or is PRIMARY of, so that a loaded application
        // is resynchronised or handed back exactly as a configured one would be.
        foreach (var app in _db.Applications().Where(a => _config.FindApplication(a.Tag) is null && a.Host is not null && (a.Primary == Name || a.Host == Name)))
        {
            await LoadAtStartupAsync(app.Tag, cancellationToken).ConfigureAwait(false);
        }

        _startupLoadsDone = true;
        _timer = _s.Time.CreateTimer(_ => RequestReconcile(), null, _config.Timings.ReconcileInterval, _config.Timings.ReconcileInterval);
        RequestReconcile();
    }

    /// <summary>
    /// A booting node must not mistake "not heard yet" for "not there": until every peer has a
    /// verdict (or timings.initdead passed, after which the detector reports silent peers Dead)
    /// it does not know whom to resynchronise with, and a stale local HOST could start an
    /// application that runs elsewhere.
    /// </summary>
    private async Task WaitForFirstVerdictsAsync(CancellationToken ct)
    {
        var peers = _scope.AllNodes.Where(n => n != Self.Id).ToList();
        if (peers.All(p => _s.Verdicts.GetVerdict(p) != Verdict.Unknown))
        {
            return;
        }

        var known = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(int peer, Verdict verdict)
        {
            if (peers.All(p => _s.Verdicts.GetVerdict(p) != Verdict.Unknown))
            {
                known.TrySetResult();
            }
        }

        _s.Verdicts.VerdictChanged += OnChange;
        try
        {
            OnChange(0, Verdict.Unknown);
            if (!known.Task.IsCompleted)
            {
                await Task.WhenAny(known.Task, Task.Delay(_config.Timings.Initdead, _s.Time, ct)).ConfigureAwait(false);
            }
        }
        finally
        {
            _s.Verdicts.VerdictChanged -= OnChange;
        }
    }

    /// <summary>
    /// Start-up load of a configured application. When every owner boots at once, nobody holds a
    /// record yet and each would otherwise take HOST for itself: a node creates the object only
    /// when no owner ahead of it in preference order (PRIMARY, then BACKUPS in order) is present;
    /// otherwise it stands by and the load is retried on each reconcile pass until a record exists
    /// (so that a preferred owner dying before it registered does not leave the application unhosted).
    /// </summary>
    private async Task LoadAtStartupAsync(string tag, CancellationToken cancellationToken)
    {
        var existing = _db.GetApplication(tag);
        var configured = _config.FindApplication(tag);
        if (configured is not null && existing?.Host is null)
        {
            string? ahead = PreferredPresentOwnerAhead(configured.Primary, configured.Backups);
            if (ahead is not null)
            {
                lock (_gate)
                {
                    _deferredStartupLoads.Add(tag);
                }

                return;
            }
        }

        lock (_gate)
        {
            _deferredStartupLoads.Remove(tag);
        }

        await LoadAsync(tag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first owner before this node in preference order that the detector reports present, or null.</summary>
    private string? PreferredPresentOwnerAhead(string primary, IReadOnlyList<string> backups)
    {
        foreach (var owner in backups.Prepend(primary))
        {
            if (owner == Name)
            {
                return null;
            }

            if (_config.FindNode(owner) is { } node && IsPresent(node.Id))
            {
                return owner;
            }
        }

        return null;
    }

    /// <summary>Retries start-up loads that were deferred to a preferred owner which has not registered yet.</summary>
    private async Task RetryDeferredStartupLoadsAsync(CancellationToken cancellationToken)
    {
        if (!_startupLoadsDone)
        {
            return; // StartAsync is still deciding; it requests a pass when done
        }

        List<string> deferred;
        lock (_gate)
        {
            deferred = _deferredStartupLoads.ToList();
        }

        foreach (var tag in deferred)
        {
            if (_db.GetApplication(tag) is { Host: not null })
            {
                lock (_gate)
                {
                    _deferredStartupLoads.Remove(tag);
                }

                continue;
            }

            var configured = _config.FindApplication(tag);
            if (configured is not null && PreferredPresentOwnerAhead(configured.Primary, configured.Backups) is null)
            {
                lock (_gate)
                {
                    _deferredStartupLoads.Remove(tag);
                }

                await LoadAsync(tag, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Loads an application on this node (issue 6 "Registration"); returns which case applied.</summary>
    public async Task<RegistrationCase> LoadAsync(string tag, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _exhausted.Remove(tag); // an explicit load is the operator saying "this node may run it again"
        }

        var existing = _db.GetApplication(tag);
        var configured = _config.FindApplication(tag);
        if (existing is null && configured is null)
        {
            throw new InvalidOperationException($"application '{tag}' is neither in the cluster database nor in {_config.SourceFile}; add it under applications: or register it through the API");
        }

        return await RegisterAsync(existing ?? ApplicationObject.FromConfig(configured!), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers <paramref name="proposed"/> (from the config, an operator command, or a cluster-aware application through the API).</summary>
    public async Task<RegistrationCase> RegisterAsync(ApplicationObject proposed, CancellationToken cancellationToken = default)
    {
        var group = GroupOf(proposed.Group);
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = _db.GetApplication(proposed.Tag);
            var decision = RegistrationDecider.Decide(existing, Name, _s.Runner.IsRunning(proposed.Tag));
            if (decision == RegistrationCase.ResyncBeforeStart)
            {
                // Every owner failed at once and this one came back first: the others may know better.
                var peers = _scope.OwnersOf(group.Name).Where(o => o != Self.Id && IsPresent(o)).ToList();
                await _replicator.ResyncAsync(peers, _config.Timings.ResyncTimeout, cancellationToken).ConfigureAwait(false);
                existing = _db.GetApplication(proposed.Tag);
                var after = RegistrationDecider.Decide(existing, Name, _s.Runner.IsRunning(proposed.Tag));
                Publish(ClusterEventKind.ResyncCompleted, $"'{proposed.Tag}': HOST named {Name} although it was down; resynchronised with {peers.Count} owner(s), HOST is now {existing?.Host ?? "(none)"}", tag: proposed.Tag);
                if (after != RegistrationCase.ResyncBeforeStart)
                {
                    decision = after;
                }
            }

            switch (decision)
            {
                case RegistrationCase.Create:
                case RegistrationCase.TakeUnloaded:
                    var app = (existing ?? proposed) with { Host = Name };
                    if (!HasQuorumNow(group))
                    {
                        Publish(ClusterEventKind.HostCommitFailed, $"'{app.Tag}' not loaded: group '{group.Name}' has no quorum", tag: app.Tag, group: group.Name);
                        break;
                    }

                    string? error = await _committer.CommitAsync(app, group, IsReachable, cancellationToken).ConfigureAwait(false);
                    Publish(error is null ? ClusterEventKind.ApplicationRegistered : ClusterEventKind.HostCommitFailed,
                        error ?? $"'{app.Tag}' registered ({decision}); HOST = {Name}", tag: app.Tag, group: group.Name);
                    break;
                case RegistrationCase.WaitForHandover:
                    lock (_gate)
                    {
                        _awaitingFailback.Add(proposed.Tag);
                    }

                    Publish(ClusterEventKind.RegistrationWaiting, $"'{proposed.Tag}': {Name} is PRIMARY and {existing!.Host} hosts it; waiting, paused, for {existing.Host} to hand over", tag: proposed.Tag, peer: existing.Host);
                    break;
            }

            PublishStatus();
            return decision;
        }
        finally
        {
            _pass.Release();
            RequestReconcile();
        }
    }

    // ---------------------------------------------------------------- operator commands

    /// <summary><c>hwfence app unload TAG</c>: HOST becomes empty (committed with quorum); the host stops it on its next pass.</summary>
    public async Task<string?> UnloadAsync(string tag, CancellationToken cancellationToken = default)
    {
        var app = _db.GetApplication(tag) ?? throw new InvalidOperationException($"no application '{tag}' in {Name}'s database");
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (app.Host == Name && !await StopVerifiedAsync(app, cancellationToken).ConfigureAwait(false))
            {
                return $"'{tag}' did not stop on {Name}; HOST unchanged";
            }

            string? error = await _committer.CommitAsync(app with { Host = null }, GroupOf(app.Group), IsReachable, cancellationToken).ConfigureAwait(false);
            Publish(error is null ? ClusterEventKind.ApplicationUnloaded : ClusterEventKind.HostCommitFailed, error ?? $"'{tag}' unloaded by the operator", tag: tag);
            return error;
        }
        finally
        {
            _pass.Release();
            RequestReconcile();
        }
    }

    /// <summary>
    /// <c>hwfence app add</c>: creates a cluster-capable application object, not loaded (HOST empty),
    /// replicated to its group's owners; <c>hwfence app load TAG</c> on a candidate starts it.
    /// Null on success, else why not (names the field and the remedy).
    /// </summary>
    public string? AddApplication(ApplicationObject app)
    {
        if (_config.FindGroup(app.Group) is not { } group)
        {
            return $"application '{app.Tag}': no resource group '{app.Group}' in {_config.SourceFile} (groups: {string.Join(", ", _config.Groups.Select(g => g.Name))})";
        }

        if (app.Candidates.FirstOrDefault(c => !group.Owners.Contains(c)) is { } stranger)
        {
            return $"application '{app.Tag}': {stranger} is not an owner of group '{group.Name}' (owners: {string.Join(", ", group.Owners)}); only owners can be PRIMARY or BACKUP";
        }

        if (app.Command.Argv.Count == 0)
        {
            return $"application '{app.Tag}': the command needs at least one argument (the program)";
        }

        if (_db.GetApplication(app.Tag) is not null)
        {
            return $"application '{app.Tag}' already exists; remove it first or choose another tag";
        }

        _replicator.Publish(_db.PutApplication(app with { Host = null }));
        Publish(ClusterEventKind.ApplicationRegistered, $"'{app.Tag}' added by the operator to group '{group.Name}' (not loaded; HOST empty)", tag: app.Tag, group: group.Name);
        PublishStatus();
        return null;
    }

    /// <summary><c>hwfence app remove TAG</c>: deletes an unloaded application object everywhere (a versioned tombstone).</summary>
    public string? RemoveApplication(string tag)
    {
        if (_db.GetApplication(tag) is not { } app)
        {
            return $"no application '{tag}' in {Name}'s database";
        }

        if (app.Host is not null || _s.Runner.IsRunning(tag))
        {
            return $"'{tag}' is loaded on {app.Host ?? Name}; unload it first (hwfence app unload {tag})";
        }

        _replicator.Publish(_db.DeleteApplication(app));
        Publish(ClusterEventKind.ApplicationUnloaded, $"'{tag}' removed by the operator", tag: tag);
        PublishStatus();
        return null;
    }

    /// <summary><c>hwfence app failback TAG</c> on the node hosting it: confirms a pending failback.</summary>
    public void ConfirmFailback(string tag)
    {
        lock (_gate)
        {
            _failbackConfirmed.Add(tag);
        }

        RequestReconcile();
    }

    /// <summary><c>hwfence app move TAG NODE</c> on the node hosting it: stop, verify, hand over to <paramref name="target"/>.</summary>
    public async Task<string?> MoveAsync(string tag, string target, CancellationToken cancellationToken = default)
    {
        var app = _db.GetApplication(tag) ?? throw new InvalidOperationException($"no application '{tag}' in {Name}'s database");
        if (app.Host != Name)
        {
            return $"'{tag}' is hosted by {app.Host ?? "nobody"}, not {Name}; run the move there";
        }

        if (!app.Candidates.Contains(target))
        {
            return $"{target} is neither PRIMARY nor a BACKUP of '{tag}' (candidates: {string.Join(", ", app.Candidates)})";
        }

        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await HandoverAsync(app, target, ClusterEventKind.FailoverStarted, ClusterEventKind.FailoverCompleted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
            RequestReconcile();
        }
    }

    // ---------------------------------------------------------------- cluster-aware API

    /// <summary>A cluster-aware application saves its MARKER (only on its host); replicated to the group with the object.</summary>
    public string? SaveMarker(string tag, string marker)
    {
        var app = _db.GetApplication(tag);
        if (app is null || app.Host != Name)
        {
            return $"'{tag}' is not hosted by {Name}; only the host saves the MARKER";
        }

        _replicator.Publish(_db.PutApplication(app with { Marker = marker }));
        Publish(ClusterEventKind.MarkerSaved, $"'{tag}' saved its MARKER ({marker.Length} chars)", tag: tag);
        return null;
    }

    public string? ReadMarker(string tag) => _db.GetApplication(tag)?.Marker;

    /// <summary>
    /// A cluster-aware application registers itself: loads it (the registration cases) and answers
    /// "active" when it may work now or "paused" when it must wait (this node is PRIMARY and a
    /// backup hosts it, or this node is a backup); a paused application gets RESUME once HOST names this node.
    /// </summary>
    public async Task<string> RegisterAwareAsync(string tag, CancellationToken cancellationToken = default)
    {
        await LoadAsync(tag, cancellationToken).ConfigureAwait(false);
        bool active = _db.GetApplication(tag)?.Host == Name;
        if (!active)
        {
            lock (_gate)
            {
                _pausedAware.Add(tag);
            }
        }

        return active ? "active" : "paused";
    }

    /// <summary>Health reported by a cluster-aware application; "failed" is treated like an exit past the restart limit.</summary>
    public void ReportHealth(string tag, string state, string? detail)
    {
        if (state == "failed")
        {
            OnFailoverRequested(tag, $"'{tag}' reported itself failed: {detail}");
        }
    }

    // ---------------------------------------------------------------- status

    /// <summary>Nodes × verdicts, groups with quorum, applications with host/primary/backups/state, redundancy groups.</summary>
    public ClusterStatus GetStatus()
    {
        var peers = _config.Nodes.Where(n => n.Id != Self.Id).Select(n =>
        {
            var st = _db.GetNodeStatus(n.Name);
            return new PeerStatus(n.Name, n.Id, _s.Verdicts.GetVerdict(n.Id), st?.Ready, st?.Incarnation);
        }).ToList();
        Dictionary<string, bool> quorum;
        HashSet<string> pending, awaiting;
        lock (_gate)
        {
            quorum = new Dictionary<string, bool>(_quorum);
            pending = _failbackPending.ToHashSet();
            awaiting = _awaitingFailback.ToHashSet();
        }

        var groups = _config.Groups.Select(g => new GroupStatus(g.Name, g.Owners, g.Quorum == QuorumPolicy.Majority ? "majority" : "disk-tiebreak",
            quorum.TryGetValue(g.Name, out bool q) ? q : null)).ToList();
        var apps = _db.Applications().Select(a =>
        {
            string state = a.Host switch
            {
                null => "unloaded",
                _ when pending.Contains(a.Tag) => "failback pending",
                _ when awaiting.Contains(a.Tag) => "waiting for handover",
                _ when a.Host == Name => _s.Runner.IsRunning(a.Tag) ? "running" : "starting",
                _ when _s.Verdicts.GetVerdict(_scope.IdOf(a.Host)) == Verdict.Dead => "down (host dead)",
                _ => "hosted",
            };
            return new ApplicationStatus(a.Tag, a.Group, a.Type == ApplicationType.ClusterAware ? "cluster-aware" : "cluster-capable",
                a.Host, a.Primary, a.Backups, a.AutoFailback, state, a.Marker);
        }).ToList();
        return new ClusterStatus(Name, _ready, peers, groups, apps, RedundancyGroups.Snapshot());
    }

    // ---------------------------------------------------------------- reconcile machinery

    /// <summary>Asks for a reconcile pass (coalesced: at most one runs, one more queued).</summary>
    /// <remarks>
    /// Whether a loop is still running is the <c>_looping</c> flag, which the loop clears under
    /// <c>_gate</c> in the same critical section where it sees no more work — not
    /// <c>_loop.IsCompleted</c>: the loop's task completes only after it released the lock, and a
    /// request landing in that window (a replicated record, a verdict change) would set
    /// <c>_dirty</c>, see a task not yet completed, start nothing, and be lost until the next
    /// periodic pass (a failover delayed by up to timings.reconcile_interval).
    /// </remarks>
    public void RequestReconcile()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _dirty = true;
            if (!_looping)
            {
                _looping = true;
                _loop = Task.Run(LoopAsync);
            }
        }
    }

    /// <summary>True when no pass runs, none is queued and no detached hand-over is under way (tests settle a cluster on this).</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return !_dirty && !_looping && _detachedWork == 0 && _pass.CurrentCount == 1;
            }
        }
    }

    /// <summary>Reconcile passes run since start (status and tests: a settled cluster runs none without a cause).</summary>
    public long ReconcilePasses => Interlocked.Read(ref _passes);

    /// <summary>Completes when the current reconcile loop has finished.</summary>
    public Task WhenLoopDoneAsync()
    {
        lock (_gate)
        {
            return _loop;
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (!_dirty || _disposed)
                {
                    _looping = false;
                    return;
                }

                _dirty = false;
            }

            await _pass.WaitAsync().ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref _passes);
                await ReconcilePassAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Publish(ClusterEventKind.FailoverFailed, $"reconcile pass on {Name} failed: {e.Message}");
            }
            finally
            {
                _pass.Release();
            }

            try
            {
                // Outside the pass: a load takes the pass itself.
                await RetryDeferredStartupLoadsAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Publish(ClusterEventKind.HostCommitFailed, $"deferred start-up load on {Name} failed: {e.Message}");
            }
        }
    }

    private async Task ReconcilePassAsync(CancellationToken ct)
    {
        // Not before the start-up loads: a pass requested meanwhile (a record or verdict arriving
        // during resync) would otherwise start an application whose stale HOST names this node
        // without the registration cases (case 4: resync before start) or the deferral to a
        // preferred owner. StartAsync requests a pass once the loads are done.
        if (!_ready || !_startupLoadsDone || _selfFenced)
        {
            return;
        }

        foreach (var group in _scope.GroupsOf(Self.Id))
        {
            bool has = await EvaluateQuorumAsync(group, ct).ConfigureAwait(false);
            bool? before;
            lock (_gate)
            {
                before = _quorum.TryGetValue(group.Name, out bool b) ? b : null;
                _quorum[group.Name] = has;
            }

            if (before == false && has)
            {
                // Back from a minority: the majority may have moved HOST meanwhile. Pull the newer
                // records before acting on the stale ones (a restarted node does the same in StartAsync).
                var owners = _scope.OwnersOf(group.Name).Where(o => o != Self.Id && IsPresent(o)).ToList();
                await _replicator.ResyncAsync(owners, _config.Timings.ResyncTimeout, ct).ConfigureAwait(false);
            }

            if (before != has && !(before is null && has))
            {
                Publish(has ? ClusterEventKind.QuorumRegained : ClusterEventKind.QuorumLost,
                    has ? $"group '{group.Name}' has quorum again; its applications resume"
                        : $"group '{group.Name}' lost quorum ({GroupQuorum.PresentOwners(_scope.OwnersOf(group.Name), Self.Id, QuorumVerdict)} of {_scope.OwnersOf(group.Name).Count} owners present); stopping its applications on {Name}",
                    group: group.Name);
            }
        }

        ReassignRedundancyTasks();
        RecheckMissingResources();
        foreach (var app in _db.Applications().Where(a => OwnsGroup(a.Group)))
        {
            await ReconcileApplicationAsync(app, ct).ConfigureAwait(false);
            if (_selfFenced)
            {
                return;
            }
        }

        PublishStatus();
    }

    private async Task ReconcileApplicationAsync(ApplicationObject app, CancellationToken ct)
    {
        var group = GroupOf(app.Group);
        bool quorum;
        lock (_gate)
        {
            quorum = _quorum.GetValueOrDefault(group.Name);
        }

        bool running = _s.Runner.IsRunning(app.Tag);
        if (!quorum)
        {
            if (running && !await StopVerifiedAsync(app, ct).ConfigureAwait(false))
            {
                SelfFence($"'{app.Tag}' would not stop after group '{group.Name}' lost quorum");
            }

            return;
        }

        if (app.Host == Name)
        {
            lock (_gate)
            {
                _awaitingFailback.Remove(app.Tag);
            }

            await ResumeIfPausedAsync(app.Tag, ct).ConfigureAwait(false);

            if (app.Primary != Name && PrimaryWantsItBack(app))
            {
                bool go;
                lock (_gate)
                {
                    go = app.AutoFailback || _failbackConfirmed.Contains(app.Tag);
                    if (!go && _failbackPending.Add(app.Tag))
                    {
                        Publish(ClusterEventKind.FailbackPending, $"'{app.Tag}': primary {app.Primary} is back; failback pending until `hwfence app failback {app.Tag}`", tag: app.Tag, peer: app.Primary);
                    }
                }

                if (go)
                {
                    string? error = await HandoverAsync(app, app.Primary, ClusterEventKind.FailbackStarted, ClusterEventKind.FailbackCompleted, ct).ConfigureAwait(false);
                    if (error is null)
                    {
                        lock (_gate)
                        {
                            _failbackPending.Remove(app.Tag);
                            _failbackConfirmed.Remove(app.Tag);
                        }
                    }

                    return;
                }
            }
            else
            {
                lock (_gate)
                {
                    _failbackPending.Remove(app.Tag);
                }
            }

            bool exhausted;
            lock (_gate)
            {
                exhausted = _exhausted.ContainsKey(app.Tag);
            }

            if (!running && !exhausted)
            {
                await StartHereAsync(app, ct).ConfigureAwait(false);
            }

            return;
        }

        // HOST is another node (or nobody): this node must not run it.
        if (running)
        {
            Publish(ClusterEventKind.ApplicationStopped, $"'{app.Tag}' runs on {Name} but HOST is {app.Host ?? "(none)"} (newer record); stopping it here", tag: app.Tag);
            if (!await StopVerifiedAsync(app, ct).ConfigureAwait(false))
            {
                SelfFence($"'{app.Tag}' runs on {Name} against HOST={app.Host} and would not stop");
                return;
            }
        }

        if (app.Host is null)
        {
            return;
        }

        int hostId = _scope.IdOf(app.Host);
        var verdict = _s.Verdicts.GetVerdict(hostId);
        if (verdict == Verdict.Dead)
        {
            string? taker = FailoverPlanner.ChooseTakeover(app, app.Host, CandidacyFor(app.Tag, waitForSuspect: true));
            if (taker == Name)
            {
                await FailoverAsync(app, group, hostId, ct).ConfigureAwait(false);
            }

        }
    }

    private async Task FailoverAsync(ApplicationObject app, ResourceGroupConfig group, int deadHostId, CancellationToken ct)
    {
        string dead = _scope.NameOf(deadHostId);

        // Decide on one version of the record: the commit below succeeds only if no other owner
        // changed it meanwhile (two backups that both saw HOST dead cannot both take over).
        var basedOn = _db.VersionOf(RecordKind.Application, app.Tag);
        if (_db.GetApplication(app.Tag)?.Host != app.Host)
        {
            return;
        }

        Publish(ClusterEventKind.FailoverStarted, $"'{app.Tag}': host {dead} is dead; {Name} takes over", tag: app.Tag, group: group.Name, peer: dead);
        var missing = _s.ResourceProbe.FindMissing(app.Resources);
        if (missing.Count > 0)
        {
            string reason = string.Join("; ", missing);
            lock (_gate)
            {
                _missing[app.Tag] = reason;
            }

            PublishStatus();
            Publish(ClusterEventKind.FailoverDeclined, $"'{app.Tag}': {Name} cannot host it: {reason} — fix this node; the next backup takes over", tag: app.Tag, group: group.Name);
            return;
        }

        Publish(ClusterEventKind.FenceStarted, $"fencing {dead} for group '{group.Name}' before '{app.Tag}' starts on {Name}", tag: app.Tag, group: group.Name, peer: dead);
        var fence = await _s.Fencer.FenceAsync(group.Name, deadHostId, ct).ConfigureAwait(false);
        if (!fence.Succeeded)
        {
            Publish(ClusterEventKind.FenceFailed, $"fence of {dead} not verified: {fence.Message} — '{app.Tag}' stays down until a fence succeeds (retried every {_config.Timings.ReconcileInterval.TotalSeconds:0.#} s)", tag: app.Tag, group: group.Name, peer: dead);
            return;
        }

        Publish(ClusterEventKind.FenceSucceeded, $"{dead} fenced and verified ({string.Join(", ", fence.Won)})", tag: app.Tag, group: group.Name, peer: dead);
        string? error = await _committer.CommitAsync(app with { Host = Name }, group, IsReachable, ct, basedOn).ConfigureAwait(false);
        if (error is not null)
        {
            Publish(ClusterEventKind.HostCommitFailed, error, tag: app.Tag, group: group.Name);
            return;
        }

        Publish(ClusterEventKind.HostCommitted, $"'{app.Tag}': HOST = {Name} (committed with group '{group.Name}' quorum)", tag: app.Tag, group: group.Name);
        if (await StartHereAsync(_db.GetApplication(app.Tag) ?? app with { Host = Name }, ct).ConfigureAwait(false))
        {
            Publish(ClusterEventKind.FailoverCompleted, $"'{app.Tag}' failed over from {dead} to {Name}", tag: app.Tag, group: group.Name, peer: dead);
        }
    }

    /// <summary>Stop here, verify, then commit HOST = <paramref name="target"/> (failback, move, give-up after the restart limit).</summary>
    private async Task<string?> HandoverAsync(ApplicationObject app, string target, ClusterEventKind started, ClusterEventKind completed, CancellationToken ct)
    {
        Publish(started, $"'{app.Tag}': handing over from {Name} to {target}", tag: app.Tag, peer: target);
        if (!await StopVerifiedAsync(app, ct).ConfigureAwait(false))
        {
            string message = $"'{app.Tag}' did not stop on {Name}; not handing over to {target}";
            Publish(ClusterEventKind.FailoverFailed, message, tag: app.Tag, peer: target);
            return message;
        }

        var current = _db.GetApplication(app.Tag) ?? app;
        string? error = await _committer.CommitAsync(current with { Host = target }, GroupOf(app.Group), IsReachable, ct).ConfigureAwait(false);
        Publish(error is null ? completed : ClusterEventKind.HostCommitFailed,
            error ?? $"'{app.Tag}' handed over from {Name} to {target} (MARKER {(current.Marker is null ? "none" : "passed")})", tag: app.Tag, peer: target);
        return error;
    }

    /// <summary>A cluster-aware instance told "paused" at registration gets RESUME once HOST names this node.</summary>
    private async Task ResumeIfPausedAsync(string tag, CancellationToken ct)
    {
        bool paused;
        lock (_gate)
        {
            paused = _pausedAware.Remove(tag);
        }

        if (paused && AwareApplications is { } aware)
        {
            await aware.RequestAsync(tag, ApiRequest.Resume, _config.Timings.StopGrace, ct).ConfigureAwait(false);
        }
    }

    private async Task<bool> StartHereAsync(ApplicationObject app, CancellationToken ct)
    {
        try
        {
            await _s.Runner.StartAsync(app, ct).ConfigureAwait(false);
            await ResumeIfPausedAsync(app.Tag, ct).ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException e)
        {
            Publish(ClusterEventKind.FailoverFailed, e.Message, tag: app.Tag);
            OnFailoverRequested(app.Tag, e.Message);
            return false;
        }
    }

    private async Task<bool> StopVerifiedAsync(ApplicationObject app, CancellationToken ct)
    {
        if (app.Type == ApplicationType.ClusterAware && AwareApplications is { } aware && _s.Runner.IsRunning(app.Tag))
        {
            await aware.RequestAsync(app.Tag, ApiRequest.Unload, _config.Timings.StopGrace, ct).ConfigureAwait(false);
        }

        return await _s.Runner.StopAsync(app.Tag, ct).ConfigureAwait(false);
    }

    private void OnFailoverRequested(string tag, string reason)
    {
        lock (_gate)
        {
            _exhausted[tag] = reason;
        }

        Publish(ClusterEventKind.FailoverStarted, $"{reason}; moving it away from {Name}", tag: tag);
        lock (_gate)
        {
            _detachedWork++; // counted from here, so the node is not idle before the task gets the pass
        }

        _ = Task.Run(async () =>
        {
            await _pass.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_db.GetApplication(tag) is { } app && app.Host == Name)
                {
                    PublishStatus();
                    string? target = FailoverPlanner.ChooseTakeover(app, Name, CandidacyFor(tag, waitForSuspect: false));
                    if (target is null)
                    {
                        Publish(ClusterEventKind.FailoverFailed, $"'{tag}': no other owner can host it (candidates {string.Join(", ", app.Candidates)} are down or lack resources); it stays down on {Name}", tag: tag);
                    }
                    else
                    {
                        await HandoverAsync(app, target, ClusterEventKind.FailoverStarted, ClusterEventKind.FailoverCompleted, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _pass.Release();
                RequestReconcile();
                lock (_gate)
                {
                    _detachedWork--;
                }
            }
        });
    }

    // ---------------------------------------------------------------- redundancy groups

    /// <summary><c>hwfence group add-member</c>: adds a partition and replicates the membership to every node.</summary>
    public void AddRedundancyMember(string group, string partition, int? position = null)
    {
        RedundancyGroups.AddMember(group, partition, position);
        PublishRedundancyGroup(group);
        RequestReconcile();
    }

    /// <summary><c>hwfence group remove-member</c>.</summary>
    public void RemoveRedundancyMember(string group, string partition)
    {
        RedundancyGroups.RemoveMember(group, partition);
        PublishRedundancyGroup(group);
        RequestReconcile();
    }

    /// <summary><c>hwfence group move-member</c>.</summary>
    public void MoveRedundancyMember(string partition, string toGroup)
    {
        string from = RedundancyGroups.GroupOf(partition) ?? throw new InvalidOperationException($"partition '{partition}' belongs to no redundancy group");
        RedundancyGroups.MoveMember(partition, toGroup);
        PublishRedundancyGroup(from);
        PublishRedundancyGroup(toGroup);
        RequestReconcile();
    }

    /// <summary>
    /// Task assignment is decided by one node so that every node agrees: the coordinator, the first
    /// node in config order that this node sees alive (itself included). Its decisions replicate as
    /// cluster-level records; the others adopt them (newest wins).
    /// </summary>
    private void ReassignRedundancyTasks()
    {
        var coordinator = _config.Nodes.FirstOrDefault(n => n.Id == Self.Id || _s.Verdicts.GetVerdict(n.Id) == Verdict.Alive);
        if (coordinator?.Id != Self.Id)
        {
            return;
        }

        bool Available(string partition)
        {
            string node = partition.Split('/')[0];
            return node == Name || (_config.FindNode(node) is { } n && _s.Verdicts.GetVerdict(n.Id) == Verdict.Alive);
        }

        foreach (string group in RedundancyGroups.Reassign(Available).Select(m => m.Group).Distinct())
        {
            PublishRedundancyGroup(group);
        }
    }

    private void PublishRedundancyGroup(string group) => _replicator.Publish(_db.PutSetting(RedundancyGroups.Export(group)));

    private void OnRecordApplied(ClusterRecord record)
    {
        if (record.Kind == RecordKind.Cluster && !record.Deleted && record.Key.StartsWith(RedundancyGroupManager.SettingPrefix, StringComparison.Ordinal))
        {
            RedundancyGroups.Import(RecordCodec.Decode<ClusterSetting>(record));
        }

        RequestReconcile();
    }

    // ---------------------------------------------------------------- quorum, availability, status

    private async Task<bool> EvaluateQuorumAsync(ResourceGroupConfig group, CancellationToken ct)
    {
        var owners = _scope.OwnersOf(group.Name);
        bool? simple = GroupQuorum.Evaluate(group, owners, Self.Id, QuorumVerdict);
        if (simple is { } s)
        {
            if (s)
            {
                lock (_gate)
                {
                    _tiebreakWon.Remove(group.Name);
                }
            }

            return s;
        }

        lock (_gate)
        {
            if (_tiebreakWon.Contains(group.Name))
            {
                return true;
            }
        }

        int peer = owners.First(o => o != Self.Id);
        if (_s.Verdicts.GetVerdict(peer) != Verdict.Dead || _s.TieBreaker is null)
        {
            return false;
        }

        bool won = await _s.TieBreaker.TryWinAsync(group.Name, peer, ct).ConfigureAwait(false);
        if (won)
        {
            lock (_gate)
            {
                _tiebreakWon.Add(group.Name);
            }
        }

        return won;
    }

    private bool HasQuorumNow(ResourceGroupConfig group) =>
        GroupQuorum.Evaluate(group, _scope.OwnersOf(group.Name), Self.Id, QuorumVerdict) ?? (_tiebreakWon.Contains(group.Name) || _s.TieBreaker is not null);

    private bool IsReachable(int nodeId) => nodeId == Self.Id || IsPresent(nodeId);

    /// <summary>Present for quorum and replication: heard on some path (Alive, Suspect with a path not yet Down, Partitioned).</summary>
    private bool IsPresent(int nodeId) => GroupQuorum.IsPresent(QuorumVerdict(nodeId));

    /// <summary>
    /// The verdict quorum counts with: a peer silent on every path counts as absent even while this
    /// node withholds Dead (isolated or just stalled) — it cannot vote or accept a commit. Takeover
    /// decisions still use the detector's verdict, so an isolated node loses quorum (and stops its
    /// applications) without ever concluding that everyone else died.
    /// </summary>
    private Verdict QuorumVerdict(int nodeId) => _s.Verdicts.IsSilent(nodeId) ? Verdict.Dead : _s.Verdicts.GetVerdict(nodeId);

    /// <summary>
    /// How <paramref name="node"/> stands as a takeover candidate for <paramref name="tag"/>.
    /// With <paramref name="waitForSuspect"/> (failover of a dead host) a Suspect peer is
    /// <see cref="Candidacy.Undecided"/>: it sees the same dead host and will take over or publish
    /// that it cannot within its deadtime, so later backups wait for it rather than overtake it.
    /// A handover away from this node only goes to a peer that is Alive now.
    /// </summary>
    private Func<string, Candidacy> CandidacyFor(string tag, bool waitForSuspect) => node =>
    {
        if (node == Name)
        {
            lock (_gate)
            {
                return _ready && !_missing.ContainsKey(tag) && !_exhausted.ContainsKey(tag) ? Candidacy.Available : Candidacy.Unavailable;
            }
        }

        var verdict = _s.Verdicts.GetVerdict(_scope.IdOf(node));
        if (verdict != Verdict.Alive)
        {
            return verdict == Verdict.Suspect && waitForSuspect ? Candidacy.Undecided : Candidacy.Unavailable;
        }

        var status = _db.GetNodeStatus(node);
        return status is { Ready: true } && !status.CannotHost.ContainsKey(tag) ? Candidacy.Available : Candidacy.Unavailable;
    };

    private bool PrimaryWantsItBack(ApplicationObject app)
    {
        int id = _scope.IdOf(app.Primary);
        return _s.Verdicts.GetVerdict(id) == Verdict.Alive
            && _db.GetNodeStatus(app.Primary) is { Ready: true } status
            && status.AwaitingFailback.Contains(app.Tag)
            && !status.CannotHost.ContainsKey(app.Tag);
    }

    private void RecheckMissingResources()
    {
        List<string> tags;
        lock (_gate)
        {
            tags = _missing.Keys.ToList();
        }

        foreach (var tag in tags)
        {
            if (_db.GetApplication(tag) is { } app && _s.ResourceProbe.FindMissing(app.Resources).Count == 0)
            {
                lock (_gate)
                {
                    _missing.Remove(tag);
                }
            }
        }
    }

    private void PublishStatus()
    {
        NodeStatus status;
        lock (_gate)
        {
            var cannot = new Dictionary<string, string>(_missing);
            foreach (var (k, v) in _exhausted)
            {
                cannot[k] = v;
            }

            status = new NodeStatus
            {
                Node = Name,
                Incarnation = _s.Incarnation,
                Ready = _ready,
                CannotHost = cannot,
                AwaitingFailback = _awaitingFailback.Order().ToList(),
                FailbackPending = _failbackPending.Order().ToList(),
                Running = _db.Applications().Where(a => _s.Runner.IsRunning(a.Tag)).Select(a => a.Tag).Order().ToList(),
            };
            if (_publishedStatus is { } last && Same(last, status))
            {
                return;
            }

            _publishedStatus = status;
        }

        _replicator.Publish(_db.PutNodeStatus(status));
    }

    private static bool Same(NodeStatus a, NodeStatus b) =>
        a.Ready == b.Ready && a.Incarnation == b.Incarnation &&
        a.CannotHost.Count == b.CannotHost.Count && a.CannotHost.All(kv => b.CannotHost.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
        a.AwaitingFailback.SequenceEqual(b.AwaitingFailback) && a.FailbackPending.SequenceEqual(b.FailbackPending) && a.Running.SequenceEqual(b.Running);

    private void OnVerdictChanged(int peer, Verdict verdict)
    {
        Verdict before;
        lock (_gate)
        {
            before = _lastVerdicts.GetValueOrDefault(peer, Verdict.Unknown);
            _lastVerdicts[peer] = verdict;
        }

        string name = _scope.NameOf(peer);
        Publish(ClusterEventKind.VerdictChanged, $"{name}: {before} → {verdict}", peer: name, details: new Dictionary<string, string> { ["verdict"] = verdict.ToString(), ["previous"] = before.ToString() });
        if (verdict == Verdict.Partitioned)
        {
            Publish(ClusterEventKind.PartitionAlarm, $"{name} is silent on every LAN path but alive on serial or disk: network partition — no failover; repair the LAN", peer: name);
        }

        if (verdict == Verdict.Alive && before is Verdict.Dead or Verdict.Partitioned or Verdict.Suspect or Verdict.Unknown && _ready)
        {
            // Partition healed or peer back: anti-entropy so the newer copies win on both sides.
            _replicator.SendDigest(peer);
        }

        RequestReconcile();
    }

    private void SelfFence(string reason)
    {
        lock (_gate)
        {
            if (_selfFenced)
            {
                return;
            }

            _selfFenced = true;
        }

        Publish(ClusterEventKind.SelfFenceRequested, $"{Name} fences itself: {reason}");
        _s.SelfFence?.SelfFence(reason);
    }

    private bool OwnsGroup(string group) => _config.FindGroup(group)?.Owners.Contains(Name) == true;

    private ResourceGroupConfig GroupOf(string group) =>
        _config.FindGroup(group) ?? throw new InvalidOperationException($"no resource group '{group}' in {_config.SourceFile}");

    private void Publish(ClusterEventKind kind, string message, string? tag = null, string? group = null, string? peer = null, IReadOnlyDictionary<string, string>? details = null) =>
        _s.Events.Publish(new ClusterEvent(_s.Time.GetUtcNow(), kind, Name, message) { Tag = tag, Group = group, Peer = peer, Details = details });

    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
        {
            _disposed = true;
            loop = _loop;
        }

        _timer?.Dispose();
        _s.Verdicts.VerdictChanged -= OnVerdictChanged;
        _s.Runner.FailoverRequested -= OnFailoverRequested;
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _replicator.Dispose();
    }
}

using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Replication;
using HwFence.Detection;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.Fakes;

/// <summary>
/// N <see cref="ClusterNode"/>s in one process: in-memory stores, an <see cref="InProcessNetwork"/>,
/// per-node fake verdicts, fencers and runners, one fake clock. Tests read like timelines:
/// <c>await c.KillAsync("alpha")</c>, then assert on HOST and on what runs where.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string FourNodeYaml = """
        cluster: { name: test, id: 7, key_file: /tmp/none.key }
        nodes:
          - { id: 1, name: alpha, lan: [127.0.0.1:7001], disks: [{ name: d0, address: "emu:d0", pulse: reserve }] }
          - { id: 2, name: beta,  lan: [127.0.0.1:7002], disks: [{ name: d0, address: "emu:d0", pulse: reserve }] }
          - { id: 3, name: gamma, lan: [127.0.0.1:7003], disks: [{ name: d1, address: "emu:d1", pulse: reserve }] }
          - { id: 4, name: delta, lan: [127.0.0.1:7004], disks: [{ name: d1, address: "emu:d1", pulse: reserve }] }
        groups:
          - { name: trio, owners: [alpha, beta, gamma], quorum: majority, fencing: ["scsi3-pr:d0"] }
          - { name: pair, owners: [gamma, delta], quorum: disk-tiebreak, tiebreak_disk: d1, fencing: ["scsi3-pr:d1"] }
        applications:
          - tag: web
            group: trio
            command: { argv: [/bin/true] }
            primary: alpha
            backups: [beta, gamma]
            resources: { devices: [/dev/web-disk] }
            auto_failback: true
          - tag: db
            group: pair
            command: { argv: [/bin/true] }
            primary: gamma
            backups: [delta]
            auto_failback: false
        redundancy_groups:
          - { name: catalog, members: [alpha, beta/replica, delta], tasks: [replication-primary] }
        """;

    public TestCluster(string yaml = FourNodeYaml, Func<string, IClusterStore>? storeFactory = null)
    {
        Config = ClusterConfigLoader.TryLoad(yaml, "test.yaml", out var config, out var errors)
            ? config!
            : throw new InvalidOperationException(string.Join("\n", errors));
        foreach (var n in Config.Nodes)
        {
            Members[n.Name] = new Member(this, n.Name, n.Id, storeFactory?.Invoke(n.Name) ?? new InMemoryClusterStore());
        }

        // Everyone alive, as the detector would say after initdead.
        foreach (var a in Members.Values)
        {
            foreach (var b in Members.Values.Where(b => b != a))
            {
                a.Verdicts.Set(b.Id, Verdict.Alive);
            }
        }
    }

    public ClusterConfig Config { get; }
    public FakeTimeProvider Time { get; } = new();
    public InProcessNetwork Network { get; } = new();
    public RunLedger Ledger { get; } = new();
    public EventBus Events { get; } = new();
    public Dictionary<string, Member> Members { get; } = new();

    public Member this[string name] => Members[name];

    public async Task StartAllAsync()
    {
        foreach (var m in Members.Values)
        {
            await m.Node.StartAsync();
        }

        await SettleAsync();
    }

    /// <summary>Reconcile passes one <see cref="SettleAsync"/> may see in total before it calls the cluster livelocked.</summary>
    /// <remarks>Settling after one event takes a handful of passes per node (the event, the replicated records it causes); 400 is far above that.</remarks>
    public const int MaxPassesPerSettle = 400;

    /// <summary>Bound on the real time a settle may take (a loaded 2-core CI machine); protocol time stays on the fake clock.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until every live node is idle (no pass running or queued, no detached hand-over), seen
    /// twice in a row. Fails when the nodes together run more than <see cref="MaxPassesPerSettle"/>
    /// passes (a node keeps finding work: livelock) or after <see cref="SettleTimeout"/> (a node is stuck busy).
    /// </summary>
    public async Task SettleAsync()
    {
        var live = Members.Values.Where(m => !m.Dead).ToList();
        long before = live.Sum(m => m.Node.ReconcilePasses);
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (true)
        {
            if (live.All(m => m.Node.IsIdle))
            {
                await Task.Yield();
                if (live.All(m => m.Node.IsIdle))
                {
                    return;
                }
            }

            long passes = live.Sum(m => m.Node.ReconcilePasses) - before;
            if (passes > MaxPassesPerSettle)
            {
                throw new TimeoutException($"cluster did not settle: {passes} reconcile passes ({string.Join(", ", live.Select(m => $"{m.Name} {m.Node.ReconcilePasses}"))}) — a node keeps finding work (livelock)");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"cluster did not settle in {SettleTimeout.TotalSeconds:0} s; busy: {string.Join(", ", live.Where(m => !m.Node.IsIdle).Select(m => m.Name))}");
            }

            // Wake on the busy node's loop ending, or re-check the bounds shortly (a livelocked loop never ends;
            // a node can also be busy without a loop: a hand-over or a registration holds the pass).
            var loop = live.FirstOrDefault(m => !m.Node.IsIdle)?.Node.WhenLoopDoneAsync() ?? Task.CompletedTask;
            await Task.WhenAny(loop, Task.Delay(loop.IsCompleted ? 1 : 50));
        }
    }

    /// <summary>The node crashes: its processes vanish, it is cut off, every peer's detector says Dead.</summary>
    public async Task KillAsync(string name)
    {
        var m = Members[name];
        m.Dead = true;
        m.Runner.Crash();
        Network.Isolate(m.Id);
        await m.Node.DisposeAsync();
        foreach (var other in Members.Values.Where(o => o != m))
        {
            other.Verdicts.Set(m.Id, Verdict.Dead);
        }

        await SettleAsync();
    }

    /// <summary>Every peer sees <paramref name="name"/> with verdict <paramref name="verdict"/> (and it sees them the same).</summary>
    public async Task SetVerdictAsync(string name, Verdict verdict)
    {
        var m = Members[name];
        foreach (var other in Members.Values.Where(o => o != m))
        {
            other.Verdicts.Set(m.Id, verdict);
        }

        await SettleAsync();
    }

    /// <summary>A killed node comes back with an empty-process table and its old database.</summary>
    public async Task RestartAsync(string name)
    {
        var old = Members[name];
        var m = new Member(this, name, old.Id, old.Store, old.Incarnation + 1);
        Members[name] = m;
        foreach (var other in Members.Values.Where(o => o != m))
        {
            m.Verdicts.Set(other.Id, other.Dead ? Verdict.Dead : Verdict.Alive);
        }

        Network.HealAll();
        foreach (var dead in Members.Values.Where(o => o.Dead && o != m))
        {
            Network.Isolate(dead.Id);
        }

        foreach (var other in Members.Values.Where(o => o != m && !o.Dead))
        {
            other.Verdicts.Set(m.Id, Verdict.Alive);
        }

        await m.Node.StartAsync();
        await SettleAsync();
    }

    public ApplicationObject? App(string viewer, string tag) => Members[viewer].Node.Database.GetApplication(tag);

    public async ValueTask DisposeAsync()
    {
        foreach (var m in Members.Values.Where(m => !m.Dead))
        {
            await m.Node.DisposeAsync();
        }

        foreach (var m in Members.Values)
        {
            m.Store.Dispose();
        }
    }

    public sealed class Member
    {
        public Member(TestCluster cluster, string name, int id, IClusterStore store, long incarnation = 1)
        {
            Name = name;
            Id = id;
            Store = store;
            Incarnation = incarnation;
            Runner = new FakeRunner(name, cluster.Ledger);
            Node = new ClusterNode(new ClusterNodeServices
            {
                Config = cluster.Config,
                NodeName = name,
                Store = store,
                Messenger = cluster.Network.Join(id),
                Verdicts = Verdicts,
                Fencer = Fencer,
                Runner = Runner,
                ResourceProbe = Probe,
                Events = cluster.Events,
                Time = cluster.Time,
                TieBreaker = TieBreaker,
                SelfFence = SelfFence,
                Incarnation = incarnation,
            });
        }

        public string Name { get; }
        public int Id { get; }
        public long Incarnation { get; }
        public bool Dead { get; set; }
        public IClusterStore Store { get; }
        public FakeVerdictSource Verdicts { get; } = new();
        public FakeFencer Fencer { get; } = new();
        public FakeRunner Runner { get; }
        public FakeResourceProbe Probe { get; } = new();
        public FakeTieBreaker TieBreaker { get; } = new();
        public FakeSelfFence SelfFence { get; } = new();
        public ClusterNode Node { get; }
    }
}

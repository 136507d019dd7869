using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Replication;
using HwFence.Cluster.Tests.Fakes;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.Replication;

/// <summary>Replicators of the four-node test cluster (trio = alpha, beta, gamma; pair = gamma, delta) on one in-process LAN.</summary>
public sealed class ReplicationTests : IDisposable
{
    private readonly ClusterConfig _config;
    private readonly InProcessNetwork _net = new();
    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<int, (Replicator R, ClusterDatabase Db)> _nodes = new();

    public ReplicationTests()
    {
        Assert.True(ClusterConfigLoader.TryLoad(TestCluster.FourNodeYaml, "t.yaml", out var config, out _));
        _config = config!;
        var scope = new ReplicationScope(_config);
        foreach (var n in _config.Nodes)
        {
            var store = new InMemoryClusterStore();
            _nodes[n.Id] = (new Replicator(n.Id, scope, store, _net.Join(n.Id), _time), new ClusterDatabase(store, n.Id));
        }
    }

    private const int Alpha = 1, Beta = 2, Gamma = 3, Delta = 4;

    private static ApplicationObject App(string tag, string group, string host, string? marker = null) => new()
    {
        Tag = tag, Group = group, Command = new CommandSpec { Argv = ["/bin/true"] }, Host = host,
        Primary = host, Backups = [], Marker = marker,
    };

    private void Write(int node, ApplicationObject app) => _nodes[node].R.Publish(_nodes[node].Db.PutApplication(app));

    [Fact]
    public void ApplicationObjectReachesOnlyTheOwnersOfItsGroup()
    {
        Write(Alpha, App("web", "trio", "alpha"));
        Assert.NotNull(_nodes[Beta].Db.GetApplication("web"));
        Assert.NotNull(_nodes[Gamma].Db.GetApplication("web"));
        Assert.Null(_nodes[Delta].Db.GetApplication("web"));
        Assert.DoesNotContain(_net.Log, m => m.To == Delta);
    }

    [Fact]
    public void NodeStatusReachesOnlyTheSphereOfInfluence()
    {
        var alpha = _nodes[Alpha];
        alpha.R.Publish(alpha.Db.PutNodeStatus(new NodeStatus { Node = "alpha", Ready = true }));
        Assert.NotNull(_nodes[Beta].Db.GetNodeStatus("alpha"));
        Assert.NotNull(_nodes[Gamma].Db.GetNodeStatus("alpha"));
        Assert.Null(_nodes[Delta].Db.GetNodeStatus("alpha"));

        // gamma is in both groups: its sphere is everyone.
        var gamma = _nodes[Gamma];
        gamma.R.Publish(gamma.Db.PutNodeStatus(new NodeStatus { Node = "gamma" }));
        Assert.All(new[] { Alpha, Beta, Delta }, n => Assert.NotNull(_nodes[n].Db.GetNodeStatus("gamma")));

        var delta = _nodes[Delta];
        delta.R.Publish(delta.Db.PutNodeStatus(new NodeStatus { Node = "delta" }));
        Assert.NotNull(_nodes[Gamma].Db.GetNodeStatus("delta"));
        Assert.Null(_nodes[Alpha].Db.GetNodeStatus("delta"));
        Assert.Null(_nodes[Beta].Db.GetNodeStatus("delta"));
    }

    [Fact]
    public void ClusterRecordsReachEveryNode()
    {
        var delta = _nodes[Delta];
        delta.R.Publish(delta.Db.PutSetting(new ClusterSetting("node-added/epsilon", "5")));
        Assert.All(_nodes.Values, n => Assert.Equal("5", n.Db.GetSetting("node-added/epsilon")!.Value));
    }

    [Fact]
    public void OutOfScopeRecordsFromAPeerAreDropped()
    {
        // delta (not an owner of trio) pushes a trio object straight at alpha: alpha must not take it… it does hold trio,
        // so instead alpha pushes a pair object at beta, which is no owner of pair.
        var record = RecordCodec.Encode(App("db", "pair", "gamma"), new RecordVersion(1, 0, Alpha));
        var fragmenter = new MessageFragmenter(_net.Join(99), _time);
        fragmenter.Send(Beta, new ReplicationMessage { Type = ReplicationMessageType.Update, Records = [record] }.Encode());
        Assert.Null(_nodes[Beta].Db.GetApplication("db"));
        Assert.Equal(1, _nodes[Beta].R.OutOfScopeDropped);
    }

    [Fact]
    public async Task AfterAPartitionHealsTheNewerCopyWinsOnBothSidesNeverTheReverse()
    {
        Write(Alpha, App("web", "trio", "alpha", marker: "m0"));
        _net.Cut(Alpha, Beta);
        _net.Cut(Alpha, Gamma);

        // Majority side commits a HOST change (term bump); minority side keeps writing markers (counter bumps).
        var beta = _nodes[Beta];
        beta.R.Commit(beta.Db.PrepareTermChange(App("web", "trio", "beta", marker: "m-beta")));
        for (int i = 1; i <= 5; i++)
        {
            Write(Alpha, App("web", "trio", "alpha", marker: $"m{i}"));
        }

        Assert.Equal("alpha", _nodes[Alpha].Db.GetApplication("web")!.Host);
        _net.HealAll();
        Assert.True(await _nodes[Alpha].R.ResyncAsync([Beta, Gamma], TimeSpan.FromSeconds(1)));

        foreach (var n in new[] { Alpha, Beta, Gamma })
        {
            var app = _nodes[n].Db.GetApplication("web")!;
            Assert.Equal("beta", app.Host);
            Assert.Equal("m-beta", app.Marker);
        }
    }

    [Fact]
    public async Task ResyncPullsWhatIsNewerThereAndPushesWhatIsNewerHere()
    {
        _net.Isolate(Gamma);
        Write(Alpha, App("web", "trio", "alpha"));
        Write(Delta, App("db", "pair", "delta"));
        var gamma = _nodes[Gamma];
        gamma.Db.PutSetting(new ClusterSetting("k", "from-gamma"));
        _net.HealAll();

        Assert.True(await gamma.R.ResyncAsync([Alpha, Beta, Delta], TimeSpan.FromSeconds(1)));
        Assert.Equal("alpha", gamma.Db.GetApplication("web")!.Host);
        Assert.Equal("delta", gamma.Db.GetApplication("db")!.Host);
        Assert.All(new[] { Alpha, Beta, Delta }, n => Assert.Equal("from-gamma", _nodes[n].Db.GetSetting("k")!.Value));
        Assert.Null(_nodes[Alpha].Db.GetApplication("db")); // resync respects scope too
    }

    [Fact]
    public async Task ResyncWithASilentPeerTimesOutOnTheFakeClock()
    {
        _net.Isolate(Delta);
        var task = _nodes[Gamma].R.ResyncAsync([Alpha, Delta], TimeSpan.FromSeconds(10));
        Assert.False(task.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task QuorumCommitWithAMajority()
    {
        var alpha = _nodes[Alpha];
        var record = alpha.Db.PrepareTermChange(App("web", "trio", "alpha"));
        _net.Isolate(Gamma);
        var result = await alpha.R.ProposeAsync(record, [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3));
        Assert.Equal([Alpha, Beta], result.Accepted.Order());
        alpha.R.Commit(record);
        Assert.Equal("alpha", _nodes[Beta].Db.GetApplication("web")!.Host);
    }

    [Fact]
    public async Task TwoProposersInTheSameTermCannotBothReachAMajority()
    {
        // beta and gamma both saw the host die and race for the same term.
        var fromBeta = RecordCodec.Encode(App("web", "trio", "beta"), new RecordVersion(1, 0, Beta));
        var fromGamma = RecordCodec.Encode(App("web", "trio", "gamma"), new RecordVersion(1, 0, Gamma));
        var first = await _nodes[Beta].R.ProposeAsync(fromBeta, [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3));
        var second = await _nodes[Gamma].R.ProposeAsync(fromGamma, [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3));
        Assert.True(first.Accepted.Count >= 2);
        Assert.True(second.Accepted.Count < 2, $"second proposer got {second.Accepted.Count} accepts");
        Assert.Contains(second.Reasons, r => r.Contains("already promised term 1"));
        Assert.Equal(1, second.HighestPromisedTerm);
    }

    [Fact]
    public async Task ASecondBackupDecidingOnTheSameOldRecordCannotOverrideTheFirstTakeover()
    {
        // alpha (the host) is dead. gamma takes over: beta accepts term 1, gamma commits, but the
        // commit does not reach beta yet. beta, which also saw alpha dead on version 0, proposes
        // the next term. Without the base version the higher term would win and both would run the
        // application; with it, gamma (holding the newer copy) refuses and beta cannot commit.
        _net.Isolate(Alpha);
        var gamma = _nodes[Gamma];
        var beta = _nodes[Beta];
        var decided = beta.Db.VersionOf(RecordKind.Application, "web");
        var takeover = RecordCodec.Encode(App("web", "trio", "gamma"), new RecordVersion(1, 0, Gamma));
        var first = await gamma.R.ProposeAsync(takeover, [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3), basedOn: decided);
        Assert.Equal([Beta, Gamma], first.Accepted.Order());
        _net.Cut(Beta, Gamma);
        Assert.Equal(ApplyOutcome.Applied, gamma.R.Commit(takeover));
        _net.HealAll();
        _net.Isolate(Alpha);
        Assert.Null(beta.Db.GetApplication("web"));

        var late = RecordCodec.Encode(App("web", "trio", "beta"), new RecordVersion(2, 0, Beta));
        var second = beta.R.ProposeAsync(late, [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3), basedOn: decided);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([Beta], result.Accepted);
        Assert.Contains(result.Reasons, r => r.Contains("gamma: holds Application/web at v", StringComparison.Ordinal) && r.Contains("it changed meanwhile", StringComparison.Ordinal));
        Assert.Equal("gamma", gamma.Db.GetApplication("web")!.Host);
    }

    [Fact]
    public async Task ProposalWaitsForSilentOwnersUntilTheTimeout()
    {
        _net.Isolate(Beta);
        _net.Isolate(Gamma);
        var alpha = _nodes[Alpha];
        var task = alpha.R.ProposeAsync(alpha.Db.PrepareTermChange(App("web", "trio", "alpha")), [Alpha, Beta, Gamma], 2, TimeSpan.FromSeconds(3));
        Assert.False(task.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([Alpha], result.Accepted);
        Assert.Equal([Beta, Gamma], result.Silent.Order());
    }

    [Fact]
    public void LargeRecordsAreFragmentedWithinTheDatagramLimit()
    {
        string bigMarker = Convert.ToBase64String(new byte[6000]);
        Write(Alpha, App("web", "trio", "alpha", marker: bigMarker));
        Assert.Equal(bigMarker, _nodes[Beta].Db.GetApplication("web")!.Marker);
    }

    public void Dispose()
    {
        foreach (var (r, db) in _nodes.Values)
        {
            r.Dispose();
            db.Store.Dispose();
        }
    }
}

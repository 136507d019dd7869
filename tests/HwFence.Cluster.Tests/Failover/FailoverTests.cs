using HwFence.Cluster.Events;
using HwFence.Cluster.Tests.Fakes;
using HwFence.Detection;

namespace HwFence.Cluster.Tests.Failover;

/// <summary>Failover flows on a four-node in-process cluster (trio: alpha, beta, gamma; pair: gamma, delta).</summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private readonly TestCluster _c = new();

    public Task InitializeAsync() => _c.StartAllAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private IReadOnlyList<ClusterEvent> Events(ClusterEventKind kind, string? tag = null) =>
        _c.Events.History.Where(e => e.Kind == kind && (tag is null || e.Tag == tag)).ToList();

    [Fact]
    public void AtStartEachApplicationRunsOnItsPrimary()
    {
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Equal(["gamma"], _c.Ledger.RunningOn("db"));
        Assert.All(new[] { "alpha", "beta", "gamma" }, n => Assert.Equal("alpha", _c.App(n, "web")!.Host));
        Assert.Empty(_c.Ledger.Violations);
    }

    [Fact]
    public async Task PrimaryDiesBackupHostsAfterAVerifiedFence()
    {
        await _c.KillAsync("alpha");

        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
        Assert.Equal("beta", _c.App("beta", "web")!.Host);
        Assert.Equal("beta", _c.App("gamma", "web")!.Host);
        Assert.Equal([("trio", 1)], _c["beta"].Fencer.Calls);
        Assert.Empty(_c["gamma"].Fencer.Calls);

        // Order on beta: fence verified → HOST committed → started.
        var beta = _c.Events.History.Where(e => e.Node == "beta" && e.Tag == "web").Select(e => e.Kind).ToList();
        int fenced = beta.IndexOf(ClusterEventKind.FenceSucceeded);
        int committed = beta.IndexOf(ClusterEventKind.HostCommitted);
        int completed = beta.IndexOf(ClusterEventKind.FailoverCompleted);
        Assert.True(fenced >= 0 && fenced < committed && committed < completed, string.Join(", ", beta));
        Assert.Equal("db", Assert.Single(_c["gamma"].Runner.Starts).Tag); // gamma did not start web
        Assert.Empty(_c.Ledger.Violations);
    }

    [Fact]
    public async Task BackupLackingAResourceReportsItAndTheNextBackupTakesOver()
    {
        _c["beta"].Probe.Missing.Add("/dev/web-disk");
        await _c.KillAsync("alpha");

        Assert.Equal(["gamma"], _c.Ledger.RunningOn("web"));
        Assert.Equal("gamma", _c.App("beta", "web")!.Host);
        var declined = Assert.Single(Events(ClusterEventKind.FailoverDeclined, "web"));
        Assert.Equal("beta", declined.Node);
        Assert.Contains("/dev/web-disk", declined.Message);
        Assert.Empty(_c["beta"].Fencer.Calls);
        Assert.Equal([("trio", 1)], _c["gamma"].Fencer.Calls);
    }

    [Fact]
    public async Task ThreeOwnerGroupLosingTwoOwnersStopsAndResumesWhenQuorumReturns()
    {
        await _c.KillAsync("beta");
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web")); // 2 of 3: still serving
        await _c.KillAsync("gamma");

        Assert.Empty(_c.Ledger.RunningOn("web"));
        Assert.False(_c["alpha"].Node.Quorum["trio"]);
        Assert.Contains(Events(ClusterEventKind.QuorumLost), e => e.Node == "alpha" && e.Group == "trio");
        Assert.Equal("alpha", _c.App("alpha", "web")!.Host); // nobody took it: HOST unchanged

        // pair lost gamma too, but delta wins the tie-breaker and takes db over.
        Assert.Equal(["delta"], _c.Ledger.RunningOn("db"));
        Assert.True(_c["delta"].TieBreaker.Races >= 1);

        await _c.RestartAsync("beta");
        Assert.True(_c["alpha"].Node.Quorum["trio"]);
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Contains(Events(ClusterEventKind.QuorumRegained), e => e.Node == "alpha");
        Assert.Empty(_c.Ledger.Violations);
    }

    [Fact]
    public async Task OneFailedNodeAffectsOnlyTheGroupsItOwns()
    {
        int eventsBefore = _c.Events.History.Count(e => e.Group == "pair" || e.Tag == "db");
        await _c.KillAsync("beta");

        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Equal(["gamma"], _c.Ledger.RunningOn("db"));
        Assert.Equal(eventsBefore, _c.Events.History.Count(e => e.Group == "pair" || e.Tag == "db"));
        Assert.True(_c["delta"].Node.Quorum["pair"]);
        Assert.Empty(_c["delta"].Fencer.Calls);
        Assert.Empty(_c["alpha"].Fencer.Calls);
    }

    [Fact]
    public async Task PartitionedHostIsNeverFailedOver()
    {
        await _c.SetVerdictAsync("alpha", Verdict.Partitioned);
        _c.Time.Advance(TimeSpan.FromSeconds(30)); // many reconcile passes
        await _c.SettleAsync();

        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Equal("alpha", _c.App("beta", "web")!.Host);
        Assert.Empty(_c["beta"].Fencer.Calls);
        Assert.Contains(Events(ClusterEventKind.PartitionAlarm), e => e.Peer == "alpha");
        Assert.True(_c["alpha"].Node.Quorum["trio"]); // a partitioned peer still counts: no stop on either side
    }

    [Fact]
    public async Task SuspectHostIsNotFailedOver()
    {
        await _c.SetVerdictAsync("alpha", Verdict.Suspect);
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Empty(_c["beta"].Fencer.Calls);
    }

    [Fact]
    public async Task FenceFailureMeansNothingStartsUntilAFenceIsVerified()
    {
        _c["beta"].Fencer.Fail = true;
        await _c.KillAsync("alpha");

        Assert.Empty(_c.Ledger.RunningOn("web"));
        Assert.Equal("alpha", _c.App("beta", "web")!.Host);
        Assert.Contains(Events(ClusterEventKind.FenceFailed, "web"), e => e.Message.Contains("RESERVATION CONFLICT"));
        Assert.Empty(Events(ClusterEventKind.HostCommitted, "web"));

        // The periodic pass retries; once the fence verifies, beta takes over.
        _c["beta"].Fencer.Fail = false;
        _c.Time.Advance(_c.Config.Timings.ReconcileInterval);
        await _c.SettleAsync();
        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
        Assert.True(_c["beta"].Fencer.Calls.Count >= 2);
    }

    [Fact]
    public async Task RestartLimitExhaustedMovesTheApplicationToTheNextCandidate()
    {
        _c["alpha"].Runner.ExhaustRestarts("web");
        await _c.SettleAsync();

        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
        Assert.Equal("beta", _c.App("gamma", "web")!.Host);
        Assert.Equal("alpha", _c.App("alpha", "web")!.Primary);
    }

    [Fact]
    public async Task OperatorMoveHandsOverAfterAVerifiedStop()
    {
        Assert.Null(await _c["alpha"].Node.MoveAsync("web", "gamma"));
        await _c.SettleAsync();
        Assert.Equal(["gamma"], _c.Ledger.RunningOn("web"));
        Assert.Empty(_c.Ledger.Violations);
    }

    [Fact]
    public async Task ApplicationThatWillNotStopAfterQuorumLossSelfFences()
    {
        _c["alpha"].Runner.StopFails = true;
        await _c.KillAsync("beta");
        await _c.KillAsync("gamma");
        var reason = Assert.Single(_c["alpha"].SelfFence.Reasons);
        Assert.Contains("lost quorum", reason);
    }
}

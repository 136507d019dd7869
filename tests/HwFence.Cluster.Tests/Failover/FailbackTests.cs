using HwFence.Cluster.Events;
using HwFence.Cluster.Registration;
using HwFence.Cluster.Tests.Fakes;

namespace HwFence.Cluster.Tests.Failover;

public sealed class FailbackTests : IAsyncLifetime
{
    private readonly TestCluster _c = new();

    public Task InitializeAsync() => _c.StartAllAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task AutomaticFailbackWhenThePrimaryReturns()
    {
        await _c.KillAsync("alpha");
        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));

        await _c.RestartAsync("alpha");

        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.All(new[] { "alpha", "beta", "gamma" }, n => Assert.Equal("alpha", _c.App(n, "web")!.Host));
        Assert.Contains(_c.Events.History, e => e.Kind == ClusterEventKind.RegistrationWaiting && e.Node == "alpha");
        Assert.Contains(_c.Events.History, e => e.Kind == ClusterEventKind.FailbackCompleted && e.Node == "beta");
        Assert.Empty(_c.Ledger.Violations); // the restarted primary resynchronised before acting: never two hosts
    }

    [Fact]
    public async Task OperatorConfirmedFailbackWaitsAsPendingThenMovesWithTheMarker()
    {
        await _c.KillAsync("gamma");
        Assert.Equal(["delta"], _c.Ledger.RunningOn("db"));
        Assert.Null(_c["delta"].Node.SaveMarker("db", "c2VxPTQy"));

        await _c.RestartAsync("gamma");
        Assert.Equal(["delta"], _c.Ledger.RunningOn("db"));
        Assert.Equal(["db"], _c["delta"].Node.PendingFailbacks);
        Assert.Contains(_c.Events.History, e => e.Kind == ClusterEventKind.FailbackPending && e.Tag == "db");
        Assert.Equal(["db"], _c["delta"].Node.Database.GetNodeStatus("delta")!.FailbackPending);

        var status = _c["delta"].Node.GetStatus();
        Assert.Equal("failback pending", status.Applications.Single(a => a.Tag == "db").State);
        Assert.Equal(HwFence.Detection.Verdict.Alive, status.Peers.Single(p => p.Node == "gamma").Verdict);
        Assert.Equal(2, status.Peers.Single(p => p.Node == "gamma").Incarnation);
        Assert.True(status.Groups.Single(g => g.Name == "pair").HasQuorum);
        Assert.Equal("waiting for handover", _c["gamma"].Node.GetStatus().Applications.Single(a => a.Tag == "db").State);

        _c["delta"].Node.ConfirmFailback("db");
        await _c.SettleAsync();

        Assert.Equal(["gamma"], _c.Ledger.RunningOn("db"));
        Assert.Empty(_c["delta"].Node.PendingFailbacks);
        var started = _c["gamma"].Runner.Starts.Last(s => s.Tag == "db");
        Assert.Equal("c2VxPTQy", started.Marker);
        Assert.Empty(_c.Ledger.Violations);
    }
}

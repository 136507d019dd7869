using HwFence.Cluster.Tests.Fakes;

namespace HwFence.Cluster.Tests.RedundancyGroups;

/// <summary>Redundancy groups inside running ClusterNodes: decided by the coordinator, replicated to every node.</summary>
public sealed class RedundancyGroupClusterTests : IAsyncLifetime
{
    private readonly TestCluster _c = new();

    public Task InitializeAsync() => _c.StartAllAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private string? Holder(string viewer) => _c[viewer].Node.RedundancyGroups.HolderOf("catalog", "replication-primary");

    [Fact]
    public async Task TaskMovesOnFailureStaysWithTheNewHolderAndEveryNodeAgrees()
    {
        Assert.All(new[] { "alpha", "beta", "gamma", "delta" }, n => Assert.Equal("alpha", Holder(n)));

        await _c.KillAsync("alpha");
        _c.Time.Advance(_c.Config.Timings.ReconcileInterval);
        await _c.SettleAsync();
        Assert.All(new[] { "beta", "gamma", "delta" }, n => Assert.Equal("beta/replica", Holder(n)));

        await _c.RestartAsync("alpha");
        _c.Time.Advance(_c.Config.Timings.ReconcileInterval);
        await _c.SettleAsync();
        Assert.All(new[] { "alpha", "beta", "gamma", "delta" }, n => Assert.Equal("beta/replica", Holder(n)));
    }

    [Fact]
    public async Task MembersAddedAndMovedAtRunTimeReachEveryNode()
    {
        _c["gamma"].Node.AddRedundancyMember("catalog", "gamma/shard2", position: 0);
        await _c.SettleAsync();
        Assert.All(new[] { "alpha", "beta", "delta" }, n =>
            Assert.Equal(["gamma/shard2", "alpha", "beta/replica", "delta"], _c[n].Node.RedundancyGroups.Snapshot().Single().Members));
        Assert.Equal("alpha", Holder("delta")); // sticky: a new first member does not take the task

        _c["beta"].Node.RemoveRedundancyMember("catalog", "alpha");
        _c.Time.Advance(_c.Config.Timings.ReconcileInterval);
        await _c.SettleAsync();
        Assert.All(new[] { "alpha", "beta", "gamma", "delta" }, n => Assert.Equal("gamma/shard2", Holder(n)));
    }
}

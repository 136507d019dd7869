using HwFence.Cluster.Tests.Fakes;
using HwFence.Detection;

namespace HwFence.Cluster.Tests.Failover;

/// <summary>A minority host that regains quorum must adopt the majority's newer HOST, not restart on its stale copy.</summary>
public sealed class PartitionHealTests : IAsyncLifetime
{
    private readonly TestCluster _c = new();

    public Task InitializeAsync() => _c.StartAllAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    [Fact]
    public async Task MinorityHostStopsMajorityFailsOverAndAfterHealTheNewerHostWins()
    {
        // alpha is cut off from beta and gamma: each side sees the other Dead. The minority notices
        // first and settles (loses quorum, stops web) before the majority fails over: the nodes'
        // passes run on other threads as soon as a verdict changes, and FakeFencer does not cut the
        // fenced node's I/O as a real SCSI-3 PR fence would, so with the opposite order the ledger
        // would see web on both sides for as long as alpha's detector is slower.
        _c.Network.Isolate(1);
        foreach (var n in new[] { "beta", "gamma" })
        {
            _c["alpha"].Verdicts.Set(_c[n].Id, Verdict.Dead);
        }

        await _c.SettleAsync();
        Assert.Empty(_c.Ledger.RunningOn("web"));
        foreach (var n in new[] { "beta", "gamma" })
        {
            _c[n].Verdicts.Set(1, Verdict.Dead);
        }

        await _c.SettleAsync();
        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
        Assert.Equal("alpha", _c.App("alpha", "web")!.Host); // alpha's stale copy
        Assert.False(_c["alpha"].Node.Quorum["trio"]);

        // Heal: alpha hears everyone again, regains quorum, resynchronises first.
        _c.Network.HealAll();
        foreach (var n in new[] { "beta", "gamma" })
        {
            _c["alpha"].Verdicts.Set(_c[n].Id, Verdict.Alive);
            _c[n].Verdicts.Set(1, Verdict.Alive);
        }

        await _c.SettleAsync();
        Assert.Equal("beta", _c.App("alpha", "web")!.Host);
        Assert.Empty(_c.Ledger.Violations);
    }
}

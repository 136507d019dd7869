using HwFence.Cluster.Tests.Fakes;

namespace HwFence.Cluster.Tests.Registration;

/// <summary>A booting node waits for its first verdicts (or initdead) before it resynchronises and acts.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task StartWaitsForVerdictsBeforeActing()
    {
        await using var c = new TestCluster();
        foreach (var m in c.Members.Values.Where(m => m.Name != "alpha"))
        {
            await m.Node.StartAsync();
        }

        // alpha boots hearing nobody yet.
        foreach (var other in c.Members.Values.Where(m => m.Name != "alpha"))
        {
            c["alpha"].Verdicts.Set(other.Id, HwFence.Detection.Verdict.Unknown);
        }

        var start = c["alpha"].Node.StartAsync();
        Assert.False(start.IsCompleted); // waiting on verdicts; the fake clock has not moved
        Assert.False(c["alpha"].Node.Ready);

        foreach (var other in c.Members.Values.Where(m => m.Name != "alpha"))
        {
            c["alpha"].Verdicts.Set(other.Id, HwFence.Detection.Verdict.Alive);
        }

        await start.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(c["alpha"].Node.Ready);
    }

    [Fact]
    public async Task StartProceedsAfterInitdeadWhenPeersStaySilent()
    {
        await using var c = new TestCluster();
        foreach (var other in c.Members.Values.Where(m => m.Name != "delta"))
        {
            c["delta"].Verdicts.Set(other.Id, HwFence.Detection.Verdict.Unknown);
        }

        var start = c["delta"].Node.StartAsync();
        Assert.False(start.IsCompleted);
        c.Time.Advance(c.Config.Timings.Initdead);
        await start.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(c["delta"].Node.Ready);
    }
}

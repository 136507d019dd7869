using HwFence.Cluster.Adapters;
using HwFence.Cluster.Events;
using HwFence.Detection;
using HwFence.Heartbeat;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.Adapters;

/// <summary>The adapter over Detection's real <see cref="FailureDetector"/>, driven on a fake clock.</summary>
public sealed class DetectorVerdictSourceTests
{
    [Fact]
    public void VerdictChangesOfTheRealDetectorReachTheClusterManager()
    {
        var time = new FakeTimeProvider();
        var options = new DetectorOptions();
        var lanBeta = PathId.Lan("10.0.0.2");
        var lanGamma = PathId.Lan("10.0.0.3");
        using var detector = new FailureDetector(options, time,
            [new PeerDefinition(2, "beta", [lanBeta]), new PeerDefinition(3, "gamma", [lanGamma])]);
        var events = new EventBus();
        using var source = new DetectorVerdictSource(detector, "alpha", events);
        var seen = new List<(int, Verdict)>();
        source.VerdictChanged += (peer, v) => seen.Add((peer, v));
        detector.Start();

        ulong seq = 0;
        void Beat(int peer, PathId path) => detector.OnHeartbeat(new HeartbeatReceipt(peer, path, 1, ++seq, time.GetTimestamp()));

        // 2 s of both peers beating, then gamma falls silent while beta keeps beating (so alpha is not isolated).
        for (int i = 0; i < 20; i++)
        {
            Beat(2, lanBeta);
            Beat(3, lanGamma);
            time.Advance(options.Lan.Interval);
        }

        for (int i = 0; i < 30; i++)
        {
            Beat(2, lanBeta);
            time.Advance(options.Lan.Interval);
        }

        Assert.Contains((3, Verdict.Alive), seen);
        Assert.Contains((3, Verdict.Dead), seen);
        Assert.DoesNotContain((2, Verdict.Dead), seen);
        Assert.Equal(Verdict.Dead, source.GetVerdict(3));
        Assert.Equal(Verdict.Alive, source.GetVerdict(2));
        Assert.Contains(events.History, e => e.Kind == ClusterEventKind.PathChanged && e.Path == lanGamma.ToString());
    }
}

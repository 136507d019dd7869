using HwFence.Cluster.Configuration;
using HwFence.Cluster.Events;

namespace HwFence.Cluster.Tests.Events;

public sealed class EventTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-ev-").FullName;

    private static ClusterEvent Sample(ClusterEventKind kind = ClusterEventKind.FailoverCompleted) =>
        new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), kind, "beta", "'web' failed over from alpha to beta")
        {
            Tag = "web", Peer = "alpha", Group = "trio", Details = new Dictionary<string, string> { ["fence-device"] = "scsi3-pr[emu:d0]" },
        };

    [Fact]
    public void EventIsOneJsonLineThatRoundTrips()
    {
        string json = Sample().ToJson();
        Assert.DoesNotContain('\n', json);
        Assert.Contains("\"kind\":\"failover-completed\"", json);
        var back = ClusterEvent.FromJson(json)!;
        Assert.Equal(ClusterEventKind.FailoverCompleted, back.Kind);
        Assert.Equal("alpha", back.Peer);
    }

    [Fact]
    public void EventLogAppendsOneLinePerEvent()
    {
        string path = Path.Combine(_dir, "events.jsonl");
        using (var bus = new EventBus(new JsonLineEventLog(path)))
        {
            bus.Publish(Sample(ClusterEventKind.FenceSucceeded));
            bus.Publish(Sample(ClusterEventKind.FailoverCompleted));
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal(ClusterEventKind.FenceSucceeded, ClusterEvent.FromJson(lines[0])!.Kind);
    }

    [Fact]
    public async Task FollowersSeeHistoryAndLiveEvents()
    {
        using var bus = new EventBus();
        bus.Publish(Sample(ClusterEventKind.QuorumLost));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<ClusterEventKind>();
        var follow = Task.Run(async () =>
        {
            await foreach (var e in bus.FollowAsync(replayHistory: true, cts.Token))
            {
                seen.Add(e.Kind);
                if (seen.Count == 2)
                {
                    return;
                }
            }
        });
        while (!follow.IsCompleted && seen.Count == 0)
        {
            await Task.Delay(10);
        }

        bus.Publish(Sample(ClusterEventKind.QuorumRegained));
        await follow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([ClusterEventKind.QuorumLost, ClusterEventKind.QuorumRegained], seen);
    }

    [Fact]
    public async Task NotificationCommandGetsEnvironmentAndJsonOnStdin()
    {
        string outFile = Path.Combine(_dir, "alert");
        var command = new NotificationCommand(new NotificationConfig(
            ["/bin/sh", "-c", $"echo \"$HWFENCE_EVENT_KIND $HWFENCE_EVENT_TAG $HWFENCE_EVENT_PEER $HWFENCE_EVENT_FENCE_DEVICE\" > {outFile}; cat >> {outFile}"],
            TimeSpan.FromSeconds(10)));
        var failures = new List<string>();
        command.Failures += failures.Add;
        command.Publish(Sample());
        await command.DrainAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var lines = File.ReadAllLines(outFile);
        Assert.Equal("failover-completed web alpha scsi3-pr[emu:d0]", lines[0]);
        Assert.Equal(ClusterEventKind.FailoverCompleted, ClusterEvent.FromJson(lines[1])!.Kind);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task FailingNotificationCommandIsReported()
    {
        var command = new NotificationCommand(new NotificationConfig(["/bin/sh", "-c", "exit 3"], TimeSpan.FromSeconds(10)));
        var failures = new List<string>();
        command.Failures += failures.Add;
        command.Publish(Sample());
        await command.DrainAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("exited with 3", Assert.Single(failures));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

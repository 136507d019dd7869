using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>What the cluster manager, the logs and <c>hwfence status</c> see, and in which order.</summary>
public sealed class EventTests
{
    [Fact]
    public void A_crash_reads_as_late_then_down_per_path_then_the_verdicts_in_order()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        int before = t.Events.Count;
        t.Silence(2).RunUntil(2000);

        string[] lines = t.Events.Skip(before).Select(e => $"{(e.Timestamp - t.StartTimestamp) / TimeSpan.TicksPerMillisecond} {Describe(e)}").ToArray();
        Assert.Equal(
            [
                "1300 lan:10.0.0.2 Up→Late",
                "1300 serial:/dev/ttyS1 Up→Late",
                "1500 disk:iscsi://127.0.0.1:3260/iqn.2026-01.hwfence:shared/1 Up→Late",
                "1500 verdict Alive→Suspect",
                "1600 lan:10.0.0.2 Late→Down",
                "1600 serial:/dev/ttyS1 Late→Down",
                "1800 disk:iscsi://127.0.0.1:3260/iqn.2026-01.hwfence:shared/1 Late→Down",
                "1800 verdict Suspect→Dead",
            ],
            lines);
        DetectorEvent dead = t.Events.Last();
        Assert.Equal(t.Clock.GetUtcNow() - TimeSpan.FromMilliseconds(200), dead.Time);
        Assert.Equal(2, dead.PeerNodeId);
        Assert.Contains("node 2 (node2): Suspect → Dead", dead.Message);
    }

    [Fact]
    public void Events_are_delivered_to_every_observer_in_order_and_kept_in_the_recent_buffer()
    {
        using var t = new Timeline();
        var second = new List<DetectorEvent>();
        using IDisposable sub = t.Detector.Subscribe(new Collector(second));
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).RunUntil(2000);
        Assert.Equal(t.Events, second);
        Assert.Equal(t.Events, t.Detector.RecentEvents());
        Assert.True(t.Events.Zip(t.Events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp));
    }

    [Fact]
    public void Unsubscribed_observer_gets_nothing_more_and_a_throwing_observer_does_not_stop_detection()
    {
        using var t = new Timeline();
        var late = new List<DetectorEvent>();
        IDisposable sub = t.Detector.Subscribe(new Collector(late));
        using IDisposable bad = t.Detector.Subscribe(new Collector(null));
        t.Beat(2, Lan).Run(20);
        int seen = late.Count;
        sub.Dispose();
        t.Silence(2).RunUntil(3000);
        Assert.Equal(seen, late.Count);
        Assert.Equal(Verdict.Dead, t.Verdict());
        Assert.True(t.Detector.ObserverFaults > 0);
    }

    [Fact]
    public void Recent_buffer_keeps_the_last_256_events()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(500);
        for (int i = 0; i < 100; i++)
        {
            t.Silence(2, Serial).Run(700).Beat(2, Serial).Run(20);
        }

        IReadOnlyList<DetectorEvent> recent = t.Detector.RecentEvents();
        Assert.Equal(256, recent.Count);
        Assert.Equal(t.Events.TakeLast(256), recent);
    }

    private static string Describe(DetectorEvent e) => e.Kind switch
    {
        DetectorEventKind.PathStateChanged => $"{e.Path} {e.OldPathState}→{e.NewPathState}",
        DetectorEventKind.VerdictChanged => $"verdict {e.OldVerdict}→{e.NewVerdict}",
        _ => e.Kind.ToString(),
    };

    private sealed class Collector(List<DetectorEvent>? sink) : IObserver<DetectorEvent>
    {
        public void OnNext(DetectorEvent value)
        {
            if (sink is null)
            {
                throw new InvalidOperationException("a buggy consumer");
            }

            sink.Add(value);
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}

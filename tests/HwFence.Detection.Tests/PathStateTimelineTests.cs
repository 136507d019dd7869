using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>One path's life on the fake clock: Unknown → Up → Late → Down → Up.</summary>
public sealed class PathStateTimelineTests
{
    [Fact]
    public void Path_goes_late_after_warntime_and_down_after_deadtime()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        Assert.Equal(PathState.Up, t.State(Lan));

        t.Silence(2, Lan);                      // last LAN heartbeat at 1000 ms
        t.RunUntil(1290);
        Assert.Equal(PathState.Up, t.State(Lan));
        t.RunUntil(1300);                       // 1000 + warntime 300
        Assert.Equal(PathState.Late, t.State(Lan));
        Assert.Equal(1300, t.At(e => e.Path == Lan && e.NewPathState == PathState.Late));
        t.RunUntil(1590);
        Assert.Equal(PathState.Late, t.State(Lan));
        t.RunUntil(1600);                       // 1000 + deadtime 600
        Assert.Equal(PathState.Down, t.State(Lan));
        Assert.Equal(1600, t.At(e => e.Path == Lan && e.NewPathState == PathState.Down));
    }

    [Fact]
    public void Late_path_recovers_to_up_on_the_next_tick_after_a_heartbeat()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2, Serial).RunUntil(1400);
        Assert.Equal(PathState.Late, t.State(Serial));
        Assert.Equal(Verdict.Alive, t.Verdict());

        t.Beat(2, Serial).Run(20);
        Assert.Equal(PathState.Up, t.State(Serial));
        DetectorEvent[] serialEvents = t.OfKind(DetectorEventKind.PathStateChanged).Where(e => e.Path == Serial).ToArray();
        Assert.Equal(
            [(PathState.Unknown, PathState.Up), (PathState.Up, PathState.Late), (PathState.Late, PathState.Up)],
            serialEvents.Select(e => (e.OldPathState!.Value, e.NewPathState!.Value)));
    }

    [Fact]
    public void Down_path_comes_back_up_when_heard_again()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(500);
        t.Silence(2, Disk).RunUntil(2000);
        Assert.Equal(PathState.Down, t.State(Disk));
        t.Beat(2, Disk).Run(20);
        Assert.Equal(PathState.Up, t.State(Disk));
    }

    [Fact]
    public void Never_heard_path_is_unknown_during_initdead_then_down()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial).RunUntil(1990);
        Assert.Equal(PathState.Unknown, t.State(Disk));
        t.RunUntil(2000);                       // initdead 2 s
        Assert.Equal(PathState.Down, t.State(Disk));
        Assert.Equal(Verdict.Alive, t.Verdict());
    }

    [Fact]
    public void Disk_path_uses_its_own_timings()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2, Disk);                     // last pulse at 1000
        t.RunUntil(1500);
        Assert.Equal(PathState.Late, t.State(Disk));
        t.RunUntil(1780);
        Assert.Equal(PathState.Late, t.State(Disk));
        t.RunUntil(1800);
        Assert.Equal(PathState.Down, t.State(Disk));
    }

    [Fact]
    public void Snapshot_reports_last_heard_silence_sequence_and_phi()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(3000);
        PathSnapshot lan = t.Detector.Snapshot().Peers.Single().Paths.Single(p => p.Path == Lan);
        Assert.Equal(PathState.Up, lan.State);
        Assert.Equal(31UL, lan.LastSequence);   // heartbeats at 0, 100, ..., 3000
        Assert.Equal(TimeSpan.Zero, lan.Silence);
        Assert.Equal(t.Clock.GetUtcNow(), lan.LastHeard);
        Assert.True(lan.Phi < 1, $"phi {lan.Phi} for a regular sender right after a heartbeat");

        t.Silence(2, Lan).Run(500);
        lan = t.Detector.Snapshot().Peers.Single().Paths.Single(p => p.Path == Lan);
        Assert.Equal(TimeSpan.FromMilliseconds(500), lan.Silence);
        Assert.True(lan.Phi > 8, $"phi {lan.Phi} after 5 missed heartbeats");
    }
}

using HwFence.Heartbeat;
using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>Verdicts on the fake clock: every transition, Partitioned never Dead, Dead only when every path is Down.</summary>
public sealed class VerdictTimelineTests
{
    [Fact]
    public void Unknown_during_initdead_then_alive_on_first_heartbeat()
    {
        using var t = new Timeline();
        t.RunUntil(500);
        Assert.Equal(Verdict.Unknown, t.Verdict());
        t.Beat(2, Lan).Run(20);
        Assert.Equal(Verdict.Alive, t.Verdict());
        Assert.Equal(520, t.VerdictAt(Verdict.Alive));
    }

    [Fact]
    public void Peer_never_heard_is_dead_exactly_at_initdead()
    {
        using var t = new Timeline();
        t.RunUntil(1980);
        Assert.Equal(Verdict.Unknown, t.Verdict());
        t.RunUntil(2000);
        Assert.Equal(Verdict.Dead, t.Verdict());
        Assert.Equal(2000, t.VerdictAt(Verdict.Dead));
    }

    [Fact]
    public void Killed_peer_goes_alive_suspect_dead_when_the_slowest_path_is_down()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2);                           // SIGKILL at 1000: every path's last heartbeat at 1000
        t.RunUntil(1790);
        Assert.Equal(Verdict.Suspect, t.Verdict());   // LAN and serial Down at 1600, disk Late
        t.RunUntil(1800);
        Assert.Equal(Verdict.Dead, t.Verdict());

        Assert.Equal(1500, t.VerdictAt(Verdict.Suspect));   // disk Late at 1500 was the last Up path leaving Up
        Assert.Equal(1800, t.VerdictAt(Verdict.Dead));
        Assert.True(t.Detector.CanTakeOver);
        Assert.Equal(
            [Verdict.Alive, Verdict.Suspect, Verdict.Dead],
            t.OfKind(DetectorEventKind.VerdictChanged).Select(e => e.NewVerdict!.Value));
    }

    [Fact]
    public void Dead_is_not_declared_while_any_single_path_still_beats()
    {
        foreach (PathId survivor in new[] { Lan, Serial, Disk })
        {
            using var t = new Timeline();
            t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
            t.Silence(2).Beat(2, survivor).RunUntil(10_000);
            Assert.NotEqual(Verdict.Dead, t.Verdict());
            Assert.Null(t.VerdictAt(Verdict.Dead));
        }
    }

    [Fact]
    public void Dead_peer_that_comes_back_is_alive_again_and_its_restart_is_reported()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).RunUntil(3000);
        Assert.Equal(Verdict.Dead, t.Verdict());
        t.Restart(2);
        t.Beat(2, Lan, Serial, Disk).Run(20);
        Assert.Equal(Verdict.Alive, t.Verdict());
        DetectorEvent restarted = Assert.Single(t.OfKind(DetectorEventKind.PeerRestarted));
        Assert.Contains("incarnation 1 → 2", restarted.Message);
    }

    [Fact]
    public void Lan_down_while_serial_beats_is_partitioned_with_alarm_never_dead()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2, Lan, Disk).RunUntil(1600);   // LAN Down at 1600, disk only Late
        Assert.Equal(Verdict.Partitioned, t.Verdict());
        t.RunUntil(20_000);
        Assert.Equal(Verdict.Partitioned, t.Verdict());
        Assert.Null(t.VerdictAt(Verdict.Dead));
        DetectorEvent alarm = Assert.Single(t.OfKind(DetectorEventKind.PartitionAlarmRaised));
        Assert.Contains("serial:/dev/ttyS1", alarm.Message);
        Assert.Equal(1600, t.At(e => e.Kind == DetectorEventKind.PartitionAlarmRaised));
    }

    [Fact]
    public void Lan_down_while_drive_pulse_beats_is_partitioned_and_clears_when_lan_returns()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2, Lan, Serial).RunUntil(20_000);
        Assert.Equal(Verdict.Partitioned, t.Verdict());
        Assert.Null(t.VerdictAt(Verdict.Dead));

        t.Beat(2, Lan).Run(20);
        Assert.Equal(Verdict.Alive, t.Verdict());
        Assert.Single(t.OfKind(DetectorEventKind.PartitionAlarmCleared));
        int cleared = t.Events.FindIndex(e => e.Kind == DetectorEventKind.PartitionAlarmCleared);
        DetectorEvent before = t.Events[cleared - 1];
        Assert.Equal(DetectorEventKind.VerdictChanged, before.Kind);
        Assert.Equal((Verdict.Partitioned, Verdict.Alive), (before.OldVerdict!.Value, before.NewVerdict!.Value));
    }

    [Fact]
    public void Serial_cut_alone_keeps_the_peer_alive()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2, Serial).RunUntil(5000);
        Assert.Equal(PathState.Down, t.State(Serial));
        Assert.Equal(Verdict.Alive, t.Verdict());
    }

    [Fact]
    public void Every_late_path_makes_the_peer_suspect_and_a_heartbeat_makes_it_alive()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).RunUntil(1550);
        Assert.Equal(Verdict.Suspect, t.Verdict());
        t.Beat(2, Serial).Run(20);
        Assert.Equal(Verdict.Alive, t.Verdict());
    }

    [Fact]
    public void Peer_without_lan_path_is_never_partitioned()
    {
        using var t = new Timeline(null, new PeerDefinition(2, "node2", [Serial, Disk]));
        t.Beat(2, Serial, Disk).RunUntil(1000);
        t.Silence(2, Serial).RunUntil(3000);
        Assert.Equal(Verdict.Alive, t.Verdict());
    }

    [Fact]
    public void Heartbeats_from_unknown_peers_paths_and_old_incarnations_are_ignored_and_counted()
    {
        using var t = new Timeline();
        t.Beat(2, Lan).RunUntil(100);
        t.Detector.OnHeartbeat(new HeartbeatReceipt(9, Lan, 1, 1, t.Clock.GetTimestamp()));
        t.Detector.OnHeartbeat(new HeartbeatReceipt(2, PathId.Lan("192.168.9.9"), 1, 1, t.Clock.GetTimestamp()));
        t.Restart(2);
        t.Send(2, Serial);
        t.Send(2, Serial, incarnation: 1);      // a stale frame from before the restart
        Assert.Equal(3, t.Detector.IgnoredHeartbeats);
    }
}

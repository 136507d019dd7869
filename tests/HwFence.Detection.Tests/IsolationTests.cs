using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>An isolated node, or one whose own end of a path is gone, never concludes that its peers died.</summary>
public sealed class IsolationTests
{
    [Fact]
    public void Every_path_to_two_peers_down_is_isolation_and_no_peer_is_declared_dead()
    {
        using var t = new Timeline(null, DefaultPeer(2), DefaultPeer(3));
        t.Beat(2, Lan, Serial, Disk).Beat(3, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).Silence(3).RunUntil(1790);
        Assert.False(t.Detector.IsIsolated);
        t.RunUntil(1800);
        Assert.True(t.Detector.IsIsolated);
        Assert.False(t.Detector.CanTakeOver);
        t.RunUntil(10_000);
        Assert.Equal(Verdict.Suspect, t.Verdict(2));
        Assert.Equal(Verdict.Suspect, t.Verdict(3));
        Assert.Null(t.At(e => e.NewVerdict == Verdict.Dead));

        DetectorEvent isolated = Assert.Single(t.OfKind(DetectorEventKind.IsolationEntered));
        Assert.Contains("all 2 peers", isolated.Message);
        Assert.Equal(2, t.OfKind(DetectorEventKind.DeadWithheld).Count());
        PeerSnapshot peer = t.Detector.Snapshot().Peers[0];
        Assert.Contains("isolated", peer.DeadWithheldReason);
    }

    [Fact]
    public void Silent_peers_of_an_isolated_node_are_silent_though_not_dead_and_a_late_one_is_not()
    {
        using var t = new Timeline(null, DefaultPeer(2), DefaultPeer(3));
        t.Beat(2, Lan, Serial, Disk).Beat(3, Lan, Serial, Disk).RunUntil(1000);
        Assert.False(t.Detector.IsSilent(2));
        t.Silence(2).Silence(3).RunUntil(1400);         // past warntime, not deadtime: Late, still heard recently
        Assert.False(t.Detector.IsSilent(2));
        t.RunUntil(3000);
        Assert.True(t.Detector.IsIsolated);
        Assert.Equal(Verdict.Suspect, t.Verdict(2));     // Dead withheld…
        Assert.True(t.Detector.IsSilent(2));             // …but nothing is heard: not a quorum vote
        Assert.True(t.Detector.IsSilent(3));
        t.Beat(3, Disk).Run(20);
        Assert.False(t.Detector.IsSilent(3));            // one path Up is enough
    }

    [Fact]
    public void Isolation_clears_when_one_peer_is_heard_and_the_silent_one_becomes_dead()
    {
        using var t = new Timeline(null, DefaultPeer(2), DefaultPeer(3));
        t.Beat(2, Lan, Serial, Disk).Beat(3, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).Silence(3).RunUntil(3000);
        Assert.True(t.Detector.IsIsolated);

        t.Beat(3, Lan).Run(20);
        Assert.False(t.Detector.IsIsolated);
        Assert.Equal(Verdict.Alive, t.Verdict(3));
        Assert.Equal(Verdict.Dead, t.Verdict(2));
        Assert.Single(t.OfKind(DetectorEventKind.IsolationCleared));
        Assert.True(t.At(e => e.Kind == DetectorEventKind.IsolationCleared) <= t.VerdictAt(Verdict.Dead, 2));
    }

    [Fact]
    public void Lone_peer_without_drive_pulse_all_silent_is_isolation_not_death()
    {
        using var t = new Timeline(null, new PeerDefinition(2, "node2", [Lan, Serial]));
        t.Beat(2, Lan, Serial).RunUntil(1000);
        t.Silence(2).RunUntil(5000);
        Assert.True(t.Detector.IsIsolated);
        Assert.Equal(Verdict.Suspect, t.Verdict());
    }

    [Fact]
    public void Lone_peer_whose_drive_pulse_stopped_on_a_reachable_disk_is_dead()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).RunUntil(2000);
        Assert.False(t.Detector.IsIsolated);
        Assert.Equal(Verdict.Dead, t.Verdict());
    }

    [Fact]
    public void Own_disk_path_gone_is_isolation_even_while_peers_are_alive()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Detector.OnLocalPathState(Disk, false, "iSCSI login to 127.0.0.1:3260 failed");
        Assert.True(t.Detector.IsIsolated);
        Assert.False(t.Detector.CanTakeOver);
        Assert.Equal(PathState.LocallyUnusable, t.State(Disk));
        Assert.Contains("own disk path", t.Detector.Snapshot().IsolationReason);

        t.Silence(2).RunUntil(5000);           // the peer dies meanwhile: still no Dead from an isolated node
        Assert.Equal(Verdict.Suspect, t.Verdict());

        t.Detector.OnLocalPathState(Disk, true, "iSCSI session re-established");
        Assert.False(t.Detector.IsIsolated);
        t.Run(20);
        Assert.NotEqual(Verdict.Dead, t.Verdict());    // disk path re-checked from now (it was unusable)...
        t.Run(1000);
        Assert.Equal(Verdict.Dead, t.Verdict());       // ...and Down once its pulse stays silent past deadtime
        Assert.Equal(
            [DetectorEventKind.LocalPathUsabilityChanged, DetectorEventKind.PathStateChanged, DetectorEventKind.IsolationEntered],
            t.Events.SkipWhile(e => e.Kind != DetectorEventKind.LocalPathUsabilityChanged).Take(3).Select(e => e.Kind));
    }

    [Fact]
    public void Unplugged_local_serial_device_is_no_evidence_that_the_peer_died()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Detector.OnLocalPathState(Serial, false, "/dev/ttyS1: device unplugged (ENODEV)");
        t.Silence(2).RunUntil(5000);
        Assert.Equal(PathState.LocallyUnusable, t.State(Serial));
        Assert.Equal(Verdict.Suspect, t.Verdict());
        Assert.False(t.Detector.IsIsolated);
        PeerSnapshot peer = t.Detector.Snapshot().Peers.Single();
        Assert.Contains("serial:/dev/ttyS1 is unusable from this node", peer.DeadWithheldReason);
        Assert.Single(t.OfKind(DetectorEventKind.DeadWithheld));
    }

    [Fact]
    public void Local_path_state_reported_before_the_peer_is_added_applies_to_it()
    {
        using var t = new Timeline(null, DefaultPeer(2));
        t.Detector.OnLocalPathState(Serial, false, "not plugged in");
        t.Detector.AddPeer(new PeerDefinition(3, "node3", [Serial]));
        PeerSnapshot peer3 = t.Detector.Snapshot().Peers.Single(p => p.NodeId == 3);
        Assert.Equal(PathState.LocallyUnusable, peer3.Paths.Single().State);
    }
}

using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

/// <summary>The local-lateness guard: a node that was frozen never wakes up and declares its peers Dead.</summary>
public sealed class LatenessGuardTests
{
    [Fact]
    public void Stall_past_deadtime_with_a_live_peer_gives_no_dead_and_rechecks_every_path()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Stall(5000);                          // SIGSTOP at 1000, SIGCONT at 6000

        // Right at wake-up, before any frame is read: every path re-checked (Late), verdict not Dead.
        Assert.Equal(Verdict.Suspect, t.Verdict());
        Assert.All(t.Detector.Snapshot().Peers.Single().Paths, p => Assert.Equal(PathState.Late, p.State));
        Assert.False(t.Detector.CanTakeOver);
        Assert.True(t.Detector.Snapshot().IsStalled);
        DetectorEvent stall = Assert.Single(t.OfKind(DetectorEventKind.LocalStallDetected));
        Assert.Contains("5000 ms", stall.Message);

        t.Run(60);                              // the peers' frames are read 40 ms after wake-up
        Assert.Equal(Verdict.Alive, t.Verdict());
        t.RunUntil(10_000);
        Assert.Null(t.VerdictAt(Verdict.Dead));
        Assert.Null(t.At(e => e.NewPathState == PathState.Down));
        Assert.True(t.Detector.CanTakeOver);
    }

    [Fact]
    public void After_a_stall_a_really_dead_peer_gets_a_full_fresh_deadtime_from_wake_up()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2);                           // the peer dies at 1000 ...
        t.Stall(5000);                          // ... while this node is frozen until 6000
        Assert.Equal(Verdict.Suspect, t.Verdict());   // the first look after waking notices the stall
        t.RunUntil(6590);
        Assert.Equal(Verdict.Suspect, t.Verdict());
        Assert.Equal(PathState.Late, t.State(Lan));
        t.RunUntil(6600);
        Assert.Equal(PathState.Down, t.State(Lan));   // wake + LAN deadtime
        Assert.Equal(Verdict.Suspect, t.Verdict());
        t.RunUntil(6800);                             // wake + disk deadtime
        Assert.Equal(Verdict.Dead, t.Verdict());
        Assert.Equal(6800, t.VerdictAt(Verdict.Dead));
    }

    [Fact]
    public void Dead_peer_verdict_is_revisited_after_a_stall()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Silence(2).RunUntil(2000);
        Assert.Equal(Verdict.Dead, t.Verdict());
        t.Stall(3000);
        Assert.Equal(Verdict.Suspect, t.Verdict());   // re-checking: a frozen node's old Dead is not fresh evidence
        t.Run(1000);
        Assert.Equal(Verdict.Dead, t.Verdict());
    }

    [Fact]
    public void Stall_below_threshold_is_ordinary_jitter()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Stall(140);                          // gap 20 + 140 = 160 ms < tick 20 + threshold 150
        t.Run(100);
        Assert.Empty(t.OfKind(DetectorEventKind.LocalStallDetected));
        Assert.Equal(Verdict.Alive, t.Verdict());
    }

    [Fact]
    public void Stall_detected_then_recovered_events_in_order()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        t.Stall(400);
        t.Run(40);
        DetectorEventKind[] guard = t.Events
            .Where(e => e.Kind is DetectorEventKind.LocalStallDetected or DetectorEventKind.LocalStallRecovered)
            .Select(e => e.Kind).ToArray();
        Assert.Equal([DetectorEventKind.LocalStallDetected, DetectorEventKind.LocalStallRecovered], guard);
        Assert.Equal(1, t.Detector.Snapshot().StallCount);
    }

    [Fact]
    public void Stall_of_an_isolated_looking_node_with_two_peers_never_concludes_both_died()
    {
        using var t = new Timeline(null, DefaultPeer(2), DefaultPeer(3));
        t.Beat(2, Lan, Serial, Disk).Beat(3, Lan, Serial, Disk).RunUntil(1000);
        t.Stall(10_000);
        t.Run(60);
        Assert.Equal(Verdict.Alive, t.Verdict(2));
        Assert.Equal(Verdict.Alive, t.Verdict(3));
        Assert.Empty(t.OfKind(DetectorEventKind.IsolationEntered));
    }
}

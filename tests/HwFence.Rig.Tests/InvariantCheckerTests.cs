namespace HwFence.Rig.Tests;

/// <summary>The independent checker on synthetic logs and records written to the emulated disk: it passes a clean run and names each broken invariant.</summary>
public sealed class InvariantCheckerTests
{
    [Fact]
    public async Task Clean_kill_and_failover_passes_and_is_measured()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(5, report.RecordsOnDisk);
        Assert.Equal(5, report.AcknowledgedWrites);
        FailoverMeasurement f = Assert.Single(report.Failovers);
        Assert.Equal((1, 2), (f.FailedHost, f.Successor!.Value));
        Assert.Equal(
            (800.0, 50.0, 250.0, 1100.0),
            (f.Detection!.Value.TotalMilliseconds, f.Fence!.Value.TotalMilliseconds, f.Start!.Value.TotalMilliseconds, f.Total!.Value.TotalMilliseconds));
    }

    [Fact]
    public async Task Failback_to_the_restarted_primary_passes()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        s.Event(3000, 1, RigEventKinds.NodeStarted);
        await s.Rig.UnfenceAsync(1);                               // node 1 registers again on rejoin
        s.Event(3050, 1, RigEventKinds.Unfenced).Event(3100, 2, RigEventKinds.AppStopped).Event(3200, 1, RigEventKinds.AppStarted);
        DemoAppendResult r = await s.WriteAsync(3300, 1, incarnation: 2);
        Assert.True(r.IsAcknowledged, r.Message);
        Assert.Equal(6UL, r.Sequence);
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(6, report.RecordsOnDisk);
    }

    [Fact]
    public async Task Frozen_host_fenced_before_the_backup_starts_is_not_two_hosts()
    {
        await using var s = await new Scenario().CleanFailoverAsync(RigFaults.Stop);
        s.Fault(5000, 1, RigFaults.Continue);
        DemoAppendResult late = await s.WriteAsync(5010, 1);       // the frozen primary wakes up and writes
        Assert.Equal(DemoAppendOutcome.Fenced, late.Outcome);       // the disk refuses: the fence holds
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public async Task Invariant_1_backup_starting_while_an_unfenced_host_is_frozen()
    {
        await using var s = new Scenario();
        s.Event(0, 1, RigEventKinds.AppStarted).Fault(1000, 1, RigFaults.Stop).Event(2100, 2, RigEventKinds.AppStarted);
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations, v => v.Invariant == 1);
        Assert.Contains("node 2 started the application at 12:00:02.100 while node 1 hosted it", v.Explanation);
        Assert.Contains("had not been fenced", v.Explanation);
    }

    [Fact]
    public async Task Invariant_1_records_of_two_writers_interleaved_in_time()
    {
        await using var s = new Scenario();
        await s.PlantAsync(100, 1, 1);
        await s.PlantAsync(300, 1, 2);
        await s.PlantAsync(250, 2, 3);       // node 2's record #3 is older than node 1's #2
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(1, v.Invariant);
        Assert.Contains("both nodes were writing at the same time", v.Explanation);
    }

    [Fact]
    public async Task Invariant_2_record_stamped_after_the_fence_is_on_the_disk()
    {
        await using var s = await new Scenario().CleanFailoverAsync(RigFaults.Stop);
        await s.PlantAsync(2400, 1, 6);       // as if the disk had accepted the fenced node's write
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations, v => v.Invariant == 2);
        Assert.Contains("completed the fence of node 1 at 12:00:01.850", v.Explanation);
        Assert.Contains("record #6", v.Explanation);
        Assert.False(report.Held(2));
    }

    [Fact]
    public async Task Invariant_2_does_not_apply_after_the_fenced_node_restarted()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        s.Event(2350, 2, RigEventKinds.AppStopped).Event(2360, 1, RigEventKinds.NodeStarted).Event(2370, 1, RigEventKinds.Unfenced)
            .Event(2380, 1, RigEventKinds.AppStarted);
        await s.PlantAsync(2400, 1, 6, incarnation: 2);
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Held(2), report.ToString());
    }

    [Fact]
    public async Task Invariant_3_fencing_while_the_own_detector_showed_a_path_up()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        s.Event(1790, 2, RigEventKinds.PathState, peer: 1, path: "serial:/dev/ttyS0", state: "Up");
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(3, v.Invariant);
        Assert.Contains("path serial:/dev/ttyS0 Up", v.Explanation);
    }

    [Fact]
    public async Task Invariant_3_failover_of_a_primary_the_rig_never_touched_is_a_false_failover()
    {
        await using var s = new Scenario();
        s.Event(0, 1, RigEventKinds.NodeStarted).Event(10, 1, RigEventKinds.AppStarted)
            .Fault(500, 1, RigFaults.CutLan).Fault(600, 1, RigFaults.CutSerial)   // drive pulse still beating
            .Event(1800, 2, RigEventKinds.FenceStarted, peer: 1).Event(1850, 2, RigEventKinds.FenceCompleted, peer: 1)
            .Event(1900, 1, RigEventKinds.AppStopped).Event(2100, 2, RigEventKinds.AppStarted);
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(3, v.Invariant);
        Assert.Contains("false failover", v.Explanation);
        Assert.Contains("cut-lan at 12:00:00.500, cut-serial at 12:00:00.600", v.Explanation);
    }

    [Fact]
    public async Task Invariant_3_holds_when_every_path_of_the_primary_was_cut()
    {
        await using var s = new Scenario();
        s.Event(10, 1, RigEventKinds.AppStarted)
            .Fault(500, 1, RigFaults.CutLan).Fault(500, 1, RigFaults.CutSerial).Fault(500, 1, RigFaults.CutDisk)
            .Event(1800, 2, RigEventKinds.FenceStarted, peer: 1).Event(1850, 2, RigEventKinds.FenceCompleted, peer: 1)
            .Event(2100, 2, RigEventKinds.AppStarted);
        Assert.True((await s.CheckAsync()).Held(3));
    }

    [Fact]
    public async Task Invariant_4_owes_no_failover_when_too_few_nodes_survive_for_quorum()
    {
        await using var s = new Scenario();
        s.Event(0, 1, RigEventKinds.NodeStarted).Event(0, 2, RigEventKinds.NodeStarted).Event(0, 3, RigEventKinds.NodeStarted)
            .Event(10, 1, RigEventKinds.AppStarted)
            .Fault(1000, 1, RigFaults.Kill).Fault(1005, 2, RigFaults.Kill)   // node 3 alone: 1 of 3, below a majority
            .Event(5000, 1, RigEventKinds.NodeStarted).Event(5000, 2, RigEventKinds.NodeStarted)
            .Event(6000, 1, RigEventKinds.AppStarted);
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Held(4), string.Join("\n", report.Violations));
        FailoverMeasurement f = Assert.Single(report.Failovers);
        Assert.Contains("only 1 of 3 nodes were up", f.NotRequired);
        Assert.Contains("below the quorum of 2", f.NotRequired);
    }

    [Fact]
    public async Task Invariant_4_still_owes_a_failover_while_a_quorum_survives()
    {
        await using var s = new Scenario();
        s.Event(0, 1, RigEventKinds.NodeStarted).Event(0, 2, RigEventKinds.NodeStarted).Event(0, 3, RigEventKinds.NodeStarted)
            .Event(10, 1, RigEventKinds.AppStarted)
            .Fault(1000, 1, RigFaults.Kill)                                    // 2 of 3 survive: they must take over
            .Event(9000, 1, RigEventKinds.Fault, fault: RigFaults.Shutdown);
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(4, v.Invariant);
        Assert.Null(Assert.Single(report.Failovers).NotRequired);
    }

    [Fact]
    public async Task Invariant_4_a_late_start_after_quorum_returns_is_not_a_slow_failover()
    {
        await using var s = new Scenario();
        s.Event(0, 1, RigEventKinds.NodeStarted).Event(0, 2, RigEventKinds.NodeStarted).Event(0, 3, RigEventKinds.NodeStarted)
            .Event(10, 2, RigEventKinds.AppStarted)
            .Fault(500, 1, RigFaults.Kill).Fault(1000, 2, RigFaults.Kill)     // host n2 dies after n1: n3 alone
            .Event(4000, 1, RigEventKinds.NodeStarted).Event(4100, 1, RigEventKinds.AppStarted);
        InvariantReport report = await s.CheckAsync();
        Assert.True(report.Held(4), string.Join("\n", report.Violations));
    }

    [Fact]
    public async Task Invariant_4_failover_slower_than_the_bound()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        InvariantReport report = await s.CheckAsync(new InvariantCheckerOptions { FailoverBound = TimeSpan.FromMilliseconds(1000) });
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(4, v.Invariant);
        Assert.Contains("1100 ms later, over the 1000 ms bound", v.Explanation);
    }

    [Fact]
    public async Task Invariant_4_application_never_restarted()
    {
        await using var s = new Scenario();
        s.Event(10, 1, RigEventKinds.AppStarted).Fault(1000, 1, RigFaults.Kill).Event(5000, 3, RigEventKinds.NodeStarted);
        InvariantReport report = await s.CheckAsync();
        InvariantViolation v = Assert.Single(report.Violations);
        Assert.Equal(4, v.Invariant);
        Assert.Contains("no other node started it in the 4000 ms the logs cover", v.Explanation);
        Assert.Null(Assert.Single(report.Failovers).Successor);
    }

    [Fact]
    public async Task Invariant_5_acknowledged_record_missing_or_overwritten()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        s.Acks.Append(new AckLine(s.T(900), 1, 1, 6, EmulatedRig.Region.LbaOf(6), 0x1234));   // acked, never on disk
        s.Acks.Append(new AckLine(s.T(950), 1, 1, 4, EmulatedRig.Region.LbaOf(4), 0x5678));   // acked, block 4 holds node 2's record
        InvariantReport report = await s.CheckAsync();
        Assert.Equal(2, report.Violations.Count(v => v.Invariant == 5));
        Assert.Contains(report.Violations, v => v.Explanation.Contains("acknowledged record #6") && v.Explanation.Contains("not on the disk"));
        Assert.Contains(report.Violations, v => v.Explanation.Contains("block 67 now holds node 2's record #4") && v.Explanation.Contains("overwritten"));
    }

    [Fact]
    public async Task Invariant_5_corrupt_block_in_the_region()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        byte[] block = new byte[512];
        await s.Rig.Device("iqn.2026-01.org.hwfence:reader").ReadAsync(EmulatedRig.Region.LbaOf(2), 1, block);
        block[200] ^= 0xFF;
        await s.Rig.RawWriteAsync(EmulatedRig.Region.LbaOf(2), block);
        InvariantReport report = await s.CheckAsync();
        Assert.Contains(report.Violations, v => v.Invariant == 5 && v.Explanation.Contains("block 65") && v.Explanation.Contains("CRC-32C field"));
        Assert.Contains(report.Violations, v => v.Invariant == 5 && v.Explanation.Contains("record #2") && v.Explanation.Contains("not on the disk"));
    }

    [Fact]
    public async Task Checker_reads_disk_and_log_files_itself()
    {
        await using var s = await new Scenario().CleanFailoverAsync();
        string dir = Directory.CreateTempSubdirectory("hwfence-checker-").FullName;
        try
        {
            string events = Path.Combine(dir, "events.jsonl"), acks = Path.Combine(dir, "acks.jsonl");
            await File.WriteAllLinesAsync(events, s.Events.Select(e => e.ToJsonLine()).Append("garbage"));
            using (var file = new FileAckLog(acks))
            {
                s.Acks.Lines.ForEach(file.Append);
            }

            var checker = new InvariantChecker(new InvariantCheckerOptions { Region = EmulatedRig.Region });
            InvariantReport report = await checker.CheckAsync(s.Rig.Device("iqn.2026-01.org.hwfence:checker2"), [events], [acks]);
            Assert.Empty(report.Violations);
            Assert.Equal(5, report.AcknowledgedWrites);
            Assert.False(report.Passed);                       // an unreadable line fails the run
            Assert.Contains("events.jsonl:", Assert.Single(report.InputErrors));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Detector_events_map_to_event_log_lines()
    {
        var e = new HwFence.Detection.DetectorEvent(
            DateTimeOffset.UnixEpoch, 0, HwFence.Detection.DetectorEventKind.PathStateChanged, 1, HwFence.Heartbeat.PathId.Lan("10.0.0.1"),
            HwFence.Detection.PathState.Up, HwFence.Detection.PathState.Late, null, null, "late");
        RigEvent line = RigEvent.FromDetectorEvent(2, e)!;
        Assert.Equal((2, RigEventKinds.PathState, 1, "lan:10.0.0.1", "Late"), (line.Node, line.Kind, line.Peer!.Value, line.Path, line.State));
        Assert.True(RigEvent.TryParse(line.ToJsonLine(), out RigEvent? back, out _));
        Assert.Equal(line, back);
    }
}

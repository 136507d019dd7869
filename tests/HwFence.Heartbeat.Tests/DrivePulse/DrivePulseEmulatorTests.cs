using HwFence.Emulator;
using HwFence.Hal.Scsi;
using HwFence.Heartbeat.DrivePulse;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Scsi.Sense;

namespace HwFence.Heartbeat.Tests.DrivePulse;

/// <summary>Each drive-pulse kind against the in-process emulated disk (one loopback initiator port per node).</summary>
public sealed class DrivePulseEmulatorTests : IAsyncLifetime
{
    private EmulatedDisk _disk = null!;
    private DrivePulseRig _rig = null!;

    public Task InitializeAsync()
    {
        _disk = EmulatedDisk.CreateInMemory(8 * 1024 * 1024);
        _rig = new DrivePulseRig();
        for (int node = 1; node <= 3; node++)
        {
            _rig.AddDevice(node, _disk.Connect(DrivePulseRig.Initiator(node)));
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _disk.DisposeAsync();
    }

    private string Address => _disk.Address;

    [Fact]
    public async Task Reserve_toggle_watcher_sees_every_flip_and_silence_when_the_pulser_stops()
    {
        var pulser = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.ReserveToggle, Watch = false });
        var watcher = (ReserveTogglePulse)_rig.Channel(2, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.ReserveToggle, Pulse = false, PeerNodeIds = [1] });
        await pulser.StartAsync();
        await watcher.StartAsync();

        await watcher.RoundAsync(); // baseline: GOOD
        for (int i = 0; i < 6; i++)
        {
            await pulser.RoundAsync();  // RESERVE, RELEASE, RESERVE…
            await watcher.RoundAsync(); // CONFLICT, GOOD, CONFLICT…
        }

        Assert.Equal(6UL, watcher.Flips);
        var receipts = _rig.Sinks[2].Heartbeats;
        Assert.Equal(6, receipts.Count);
        Assert.All(receipts, r => Assert.Equal((1, PathId.Disk(Address)), (r.PeerNodeId, r.Path)));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (ulong)i), receipts.Select(r => r.Sequence));

        for (int i = 0; i < 3; i++)
        {
            await watcher.RoundAsync(); // the pulser died: no flips
        }

        Assert.Equal(6, _rig.Sinks[2].Heartbeats.Count);
        Assert.True(pulser.LocallyUsable && watcher.LocallyUsable);
    }

    [Fact]
    public async Task Reserve_toggle_pulser_refuses_a_lun_with_pr_registrations()
    {
        await _rig.Devices[3].RegisterAsync(DrivePulseRig.KeyOf(3)); // PR fencing is using this LUN
        var pulser = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.ReserveToggle, Watch = false });
        await pulser.StartAsync();
        await pulser.RoundAsync();
        Assert.False(pulser.LocallyUsable);
        Assert.Contains("reserve-toggle needs a LUN of its own", pulser.LastProblem);
    }

    [Fact]
    public void Reserve_toggle_and_pr_fencing_on_one_lun_are_refused_by_the_configuration_check()
    {
        var pulses = new[]
        {
            new DrivePulseOptions { Device = "iscsi://10.0.0.9:3260/iqn.x/1", Kind = DrivePulseKind.ReserveToggle, Watch = false },
            new DrivePulseOptions { Device = "iscsi://10.0.0.9:3260/iqn.x/2", Kind = DrivePulseKind.PrGeneration, OwnKey = 1, Watch = false },
        };
        var errors = DrivePulseOptions.ValidateAgainstFencing(pulses, ["iscsi://10.0.0.9:3260/iqn.x/1", "iscsi://10.0.0.9:3260/iqn.x/2"]);
        var e = Assert.Single(errors);
        Assert.Contains("iqn.x/1", e);
        Assert.Contains("cannot share a LUN", e);
        Assert.Empty(DrivePulseOptions.ValidateAgainstFencing(pulses, ["iscsi://10.0.0.9:3260/iqn.x/2"]));
    }

    [Fact]
    public async Task Pr_generation_both_nodes_hear_each_other_and_not_themselves()
    {
        await _rig.Devices[1].RegisterAsync(DrivePulseRig.KeyOf(1)); // unfence (the fencing layer's job)
        await _rig.Devices[2].RegisterAsync(DrivePulseRig.KeyOf(2));
        DrivePulseOptions Options(int self, int peer) => new()
        {
            Device = Address, Kind = DrivePulseKind.PrGeneration, OwnKey = DrivePulseRig.KeyOf(self),
            PeerNodeIds = [peer], PeerKeys = new Dictionary<int, ulong> { [peer] = DrivePulseRig.KeyOf(peer) },
        };
        var a = _rig.Channel(1, Options(1, 2));
        var b = _rig.Channel(2, Options(2, 1));
        await a.StartAsync();
        await b.StartAsync();

        for (int i = 0; i < 5; i++)
        {
            await a.RoundAsync();
            await b.RoundAsync();
        }

        Assert.InRange(_rig.Sinks[1].HeartbeatCount, 4, 5);
        Assert.InRange(_rig.Sinks[2].HeartbeatCount, 4, 5);
        var seen = _rig.Sinks[2].Heartbeats.Select(r => r.Sequence).ToArray();
        Assert.Equal(seen.Order().Distinct(), seen); // the generation only moves forward

        int heardByA = _rig.Sinks[1].HeartbeatCount;
        for (int i = 0; i < 3; i++)
        {
            await a.RoundAsync(); // b is dead: a's own re-registrations must not count as b's pulse
        }

        Assert.Equal(heardByA + 1, _rig.Sinks[1].HeartbeatCount); // only b's last pulse, made after a's previous read
    }

    [Fact]
    public async Task Pr_generation_pulse_of_a_fenced_node_stops_and_does_not_re_register()
    {
        await _rig.Devices[1].RegisterAsync(DrivePulseRig.KeyOf(1));
        await _rig.Devices[2].RegisterAsync(DrivePulseRig.KeyOf(2));
        var a = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.PrGeneration, OwnKey = DrivePulseRig.KeyOf(1), Watch = false });
        await a.StartAsync();
        await a.RoundAsync();
        Assert.True(a.LocallyUsable);

        // Node 2 fences node 1: PREEMPT AND ABORT of node 1's key (SPC-4 §5.13.11.4).
        var fence = await _rig.Devices[2].TryPreemptAsync(DrivePulseRig.KeyOf(2), DrivePulseRig.KeyOf(1), HwFence.Scsi.PersistentReservations.PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true);
        Assert.True(fence.IsGood, fence.ToString());

        await a.RoundAsync();
        Assert.False(a.LocallyUsable);
        Assert.Contains("fenced", a.LastProblem);
        var keys = await _rig.Devices[2].ReadKeysAsync();
        Assert.False(keys.Contains(DrivePulseRig.KeyOf(1))); // the pulse did not undo the fence
    }

    [Fact]
    public async Task Disk_slots_carry_three_nodes_pulses_with_incarnation_and_counter()
    {
        await DiskSlotLayout.InitializeAsync(_rig.Devices[1], 0, new DiskSlotHeader(TestIdentities.ClusterId, 8, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), force: false);
        var channels = new List<DrivePulseChannel>();
        for (int node = 1; node <= 3; node++)
        {
            var peers = Enumerable.Range(1, 3).Where(p => p != node).ToArray();
            var c = _rig.Channel(node, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.DiskSlot, PeerNodeIds = peers }, incarnation: (ulong)(100 + node));
            await c.StartAsync();
            channels.Add(c);
        }

        for (int round = 0; round < 4; round++)
        {
            foreach (var c in channels)
            {
                await c.RoundAsync();
            }
        }

        // Round 1: node 1 reads empty slots; round 2: first sighting (a value, not yet a change — it may be
        // a dead node's last write); rounds 3 and 4: changes, i.e. pulses.
        var heardBy1 = _rig.Sinks[1].Heartbeats;
        Assert.Equal(2, heardBy1.Count(r => r.PeerNodeId == 2));
        Assert.Equal(2, heardBy1.Count(r => r.PeerNodeId == 3));
        Assert.Equal(102UL, heardBy1.Last(r => r.PeerNodeId == 2).Incarnation);
        Assert.Equal(3UL, heardBy1.Last(r => r.PeerNodeId == 2).Sequence); // node 2's 3rd write, read in node 1's 4th round
        Assert.All(channels, c => Assert.True(c.LocallyUsable));

        // Node 3 dies: nodes 1 and 2 stop hearing it, but keep hearing each other.
        int from3 = _rig.Sinks[1].Heartbeats.Count(r => r.PeerNodeId == 3);
        for (int i = 0; i < 3; i++)
        {
            await channels[0].RoundAsync();
            await channels[1].RoundAsync();
        }

        Assert.Equal(from3 + 1, _rig.Sinks[1].Heartbeats.Count(r => r.PeerNodeId == 3)); // its last write, made after node 1's 4th read
        Assert.Equal(5, _rig.Sinks[1].Heartbeats.Count(r => r.PeerNodeId == 2));
    }

    [Fact]
    public async Task Disk_slot_refuses_an_uninitialised_disk_and_another_clusters_disk()
    {
        var c = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.DiskSlot, PeerNodeIds = [2] });
        var e = await Assert.ThrowsAsync<DrivePulseException>(() => c.StartAsync());
        Assert.Contains("not initialised", e.Message);
        Assert.Contains($"hwfence disk init {Address}", e.Message);

        await DiskSlotLayout.InitializeAsync(_rig.Devices[2], 0, new DiskSlotHeader(0xABCDEF, 4, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), force: false);
        e = await Assert.ThrowsAsync<DrivePulseException>(() => c.StartAsync());
        Assert.Contains("belongs to cluster 0000000000abcdef", e.Message);

        var again = await Assert.ThrowsAsync<DrivePulseException>(() => DiskSlotLayout.InitializeAsync(
            _rig.Devices[1], 0, new DiskSlotHeader(TestIdentities.ClusterId, 4, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), force: false));
        Assert.Contains("--force", again.Message);
    }

    [Fact]
    public async Task A_disk_unreachable_from_this_node_is_reported_as_local_path_state_and_recovers()
    {
        await DiskSlotLayout.InitializeAsync(_rig.Devices[1], 0, new DiskSlotHeader(TestIdentities.ClusterId, 4, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), force: false);
        var c = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.DiskSlot, PeerNodeIds = [2] });
        await c.StartAsync();
        await c.RoundAsync();
        Assert.True(c.LocallyUsable);

        _disk.Faults.For(DrivePulseRig.Initiator(1)).FailNext(1, ScsiStatus.CheckCondition, SenseKey.NotReady);
        await c.RoundAsync();
        Assert.False(c.LocallyUsable);
        var down = _rig.Sinks[1].PathStates.Last();
        Assert.Equal((PathId.Disk(Address), false), (down.Path, down.Usable));
        Assert.Contains(Address, down.Reason);

        await c.RoundAsync();
        Assert.True(c.LocallyUsable);
        Assert.Equal(new[] { true, false, true }, _rig.Sinks[1].PathStates.Select(p => p.Usable));
    }

    [Fact]
    public async Task The_timer_on_the_injected_clock_drives_the_rounds()
    {
        await DiskSlotLayout.InitializeAsync(_rig.Devices[1], 0, new DiskSlotHeader(TestIdentities.ClusterId, 4, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), force: false);
        var a = _rig.Channel(1, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.DiskSlot, PeerNodeIds = [2] });
        var b = _rig.Channel(2, new DrivePulseOptions { Device = Address, Kind = DrivePulseKind.DiskSlot, PeerNodeIds = [1] });
        await a.StartAsync();
        await b.StartAsync();
        for (int i = 0; i < 4; i++)
        {
            _rig.Time.Advance(TimeSpan.FromSeconds(1));
        }

        _rig.Sinks[1].WaitUntil(s => s.Heartbeats.Count >= 2, "node 1 to hear node 2 on the disk");
        _rig.Sinks[2].WaitUntil(s => s.Heartbeats.Count >= 2, "node 2 to hear node 1 on the disk");
        Assert.True(a.Counters.Sent >= 4);
    }
}

using HwFence.Heartbeat.DrivePulse;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.DrivePulse;

/// <summary>
/// Reserve-toggle and PR generation against tgtd (Debian tgt 1.0.85), a target we did not write,
/// over our iSCSI initiator on real loopback TCP. Each test gets a fresh target (no reservation history).
/// </summary>
public sealed class DrivePulseTgtdTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>
{
    private static async Task<DrivePulseRig> RigAsync(TgtdTarget target, int nodes)
    {
        var rig = new DrivePulseRig();
        for (int node = 1; node <= nodes; node++)
        {
            var transport = await IscsiTransport.ConnectAsync("127.0.0.1", PortOf(target), target.Iqn, 1,
                new IscsiInitiatorOptions { InitiatorName = DrivePulseRig.Initiator(node) });
            rig.AddDevice(node, transport);
        }

        return rig;
    }

    private static int PortOf(TgtdTarget target) => new Uri(target.Address).Port;

    [RequiresTgtdFact]
    public async Task Reserve_toggle_flips_test_unit_ready_on_tgtd()
    {
        var target = tgtd.CreateTarget();
        await using var rig = await RigAsync(target, 2);
        var pulser = rig.Channel(1, new DrivePulseOptions { Device = target.Address, Kind = DrivePulseKind.ReserveToggle, Watch = false });
        var watcher = (ReserveTogglePulse)rig.Channel(2, new DrivePulseOptions { Device = target.Address, Kind = DrivePulseKind.ReserveToggle, Pulse = false, PeerNodeIds = [1] });
        await pulser.StartAsync();
        await watcher.StartAsync();

        await watcher.RoundAsync();
        for (int i = 0; i < 4; i++)
        {
            await pulser.RoundAsync();
            await watcher.RoundAsync();
        }

        Assert.True(pulser.LocallyUsable, pulser.LastProblem);
        Assert.True(watcher.LocallyUsable, watcher.LastProblem);
        Assert.Equal(4UL, watcher.Flips);
        await watcher.RoundAsync();
        Assert.Equal(4UL, watcher.Flips); // no pulse, no flip
    }

    [RequiresTgtdFact]
    public async Task Pr_generation_advances_on_tgtd_and_the_watcher_attributes_it_to_the_peer()
    {
        var target = tgtd.CreateTarget();
        await using var rig = await RigAsync(target, 2);
        await rig.Devices[1].RegisterAsync(DrivePulseRig.KeyOf(1));
        await rig.Devices[2].RegisterAsync(DrivePulseRig.KeyOf(2));
        var pulser = rig.Channel(1, new DrivePulseOptions { Device = target.Address, Kind = DrivePulseKind.PrGeneration, OwnKey = DrivePulseRig.KeyOf(1), Watch = false });
        var watcher = (PrGenerationPulse)rig.Channel(2, new DrivePulseOptions
        {
            Device = target.Address, Kind = DrivePulseKind.PrGeneration, Pulse = false,
            PeerNodeIds = [1], PeerKeys = new Dictionary<int, ulong> { [1] = DrivePulseRig.KeyOf(1) },
        });
        await pulser.StartAsync();
        await watcher.StartAsync();

        await watcher.RoundAsync();
        uint first = watcher.LastGeneration!.Value;
        for (int i = 0; i < 3; i++)
        {
            await pulser.RoundAsync();
            await watcher.RoundAsync();
        }

        Assert.True(pulser.LocallyUsable, pulser.LastProblem);
        Assert.Equal(3, rig.Sinks[2].HeartbeatCount);
        Assert.Equal(first + 3, watcher.LastGeneration);

        // Fence node 1 (PREEMPT; tgtd 1.0.85 answers PREEMPT AND ABORT without a reservation with
        // INVALID FIELD IN CDB): its pulse must stop, not re-register.
        var fence = await rig.Devices[2].TryPreemptAsync(DrivePulseRig.KeyOf(2), DrivePulseRig.KeyOf(1),
            HwFence.Scsi.PersistentReservations.PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: false);
        Assert.True(fence.IsGood, fence.ToString());
        await pulser.RoundAsync();
        Assert.False(pulser.LocallyUsable);
        Assert.False((await rig.Devices[2].ReadKeysAsync()).Contains(DrivePulseRig.KeyOf(1)));
        await watcher.RoundAsync();
        Assert.Equal(3, rig.Sinks[2].HeartbeatCount); // the fence moved the generation, but node 1's key is gone
    }
}

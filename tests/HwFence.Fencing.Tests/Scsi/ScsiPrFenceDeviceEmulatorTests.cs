using HwFence.Fencing.Scsi;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>SCSI-3 PR fencing against the in-process emulated disk, each node its own initiator.</summary>
public class ScsiPrFenceDeviceEmulatorTests
{
    private static readonly byte[] Block = new byte[512];

    [Fact]
    public async Task Unfence_registers_every_node_and_reserves_write_exclusive_registrants_only()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        Assert.True((await n1.RegisterOwnKeyAsync()).Succeeded);
        Assert.True((await n2.UnfenceAsync(2)).Succeeded);

        Assert.Equal([EmulatorRig.KeyOf(1), EmulatorRig.KeyOf(2)], await n1.ReadKeysAsync());
        Assert.Equal([1, 2], await n2.ListAsync());
        Assert.Equal(FenceStatus.On, await n2.StatusAsync(1));

        await using var probe = rig.Writer(3);
        var reservation = await probe.ReadReservationAsync();
        Assert.Equal(PersistentReservationType.WriteExclusiveRegistrantsOnly, reservation.Reservation!.Value.Type);
        Assert.Equal(EmulatorRig.KeyOf(1).Value, reservation.Reservation!.Value.Key);

        // An unregistered initiator may not write; registered ones may.
        Assert.True((await probe.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        await using var w2 = rig.Writer(2);
        Assert.True((await w2.TryWriteAsync(0, 1, Block)).IsGood);
    }

    [Fact]
    public async Task Unfence_of_another_node_is_refused()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var result = await n1.UnfenceAsync(2);
        Assert.False(result.Succeeded);
        Assert.Contains("can only be unfenced by itself", result.Message);
    }

    [Fact]
    public async Task Fence_removes_the_victims_key_and_its_next_write_gets_reservation_conflict()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();
        await using var victimWriter = rig.Writer(1);
        Assert.True((await victimWriter.TryWriteAsync(0, 1, Block)).IsGood);

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.ByThisNode);
        Assert.Empty(result.Lost);
        Assert.Contains("preempted and verified gone", Assert.Single(result.Won));
        Assert.Equal([EmulatorRig.KeyOf(2)], await n2.ReadKeysAsync());
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(1));

        var write = await victimWriter.TryWriteAsync(0, 1, Block);
        Assert.True(write.IsReservationConflict, write.ToString());
        await using var w2 = rig.Writer(2);
        Assert.True((await w2.TryWriteAsync(0, 1, Block)).IsGood);

        var reservation = (await w2.ReadReservationAsync()).Reservation!.Value;
        Assert.Equal(EmulatorRig.KeyOf(2).Value, reservation.Key); // the preempt took the victim's reservation over
    }

    [Fact]
    public async Task Fence_of_a_registrant_that_held_no_reservation_keeps_a_reservation_in_place()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        var n3 = rig.Node(3);
        await n1.RegisterOwnKeyAsync(); // holder
        await n2.RegisterOwnKeyAsync();
        await n3.RegisterOwnKeyAsync();
        Assert.True((await n1.FenceAsync(3)).Succeeded);
        await using var w3 = rig.Writer(3);
        Assert.True((await w3.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        Assert.NotNull((await w3.ReadReservationAsync()).Reservation);
    }

    [Fact]
    public async Task Fence_falls_back_to_preempt_when_preempt_and_abort_is_rejected()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        RejectPreemptAndAbortTransport? wrapper = null;
        var n2 = rig.Node(2, t => wrapper = new RejectPreemptAndAbortTransport(t));
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(1, wrapper!.Rejected);
        Assert.Contains(rig.Log, l => l.Contains("PREEMPT AND ABORT not supported", StringComparison.Ordinal));
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(1));

        // The device remembers: the next fence goes straight to PREEMPT.
        var n3 = rig.Node(3);
        await n3.RegisterOwnKeyAsync();
        Assert.True((await n2.FenceAsync(3)).Succeeded);
        Assert.Equal(1, wrapper.Rejected);
    }

    [Fact]
    public async Task Three_disks_one_unreachable_fence_succeeds_and_names_the_lost_disk()
    {
        await using var rig = new EmulatorRig(3);
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();
        rig.Disks[1].Target.Stop();

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.ByThisNode);
        Assert.Equal(2, result.Won.Count);
        var lost = Assert.Single(result.Lost);
        Assert.StartsWith(rig.Disks[1].Address, lost);
        Assert.Contains("stopped", lost);
        Assert.Contains("verified on 2 of 3", result.Message);
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(1));
    }

    [Fact]
    public async Task Three_disks_two_unreachable_fence_fails()
    {
        await using var rig = new EmulatorRig(3);
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();
        rig.Disks[0].Target.Stop();
        rig.Disks[2].Target.Stop();

        var result = await n2.FenceAsync(1);

        Assert.False(result.Succeeded);
        Assert.False(result.ByThisNode);
        Assert.Equal(2, result.Lost.Count);
        Assert.Contains("FAILED: verified on only 1 of 3", result.Message);
        await Assert.ThrowsAsync<IOException>(() => n2.VerifyAsync());
    }

    [Fact]
    public async Task Unfence_with_a_minority_of_disks_fails()
    {
        await using var rig = new EmulatorRig(3);
        var n1 = rig.Node(1);
        rig.Disks[0].Target.Stop();
        rig.Disks[1].Target.Stop();
        var result = await n1.RegisterOwnKeyAsync();
        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Lost.Count);
    }

    [Fact]
    public async Task All_disks_unreachable_status_is_unknown_and_read_keys_throws()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        rig.Disks[0].Target.Stop();
        Assert.Equal(FenceStatus.Unknown, await n1.StatusAsync(2));
        var ex = await Assert.ThrowsAsync<IOException>(() => n1.ReadKeysAsync());
        Assert.Contains("no fencing disk answered READ KEYS", ex.Message);
    }

    [Fact]
    public async Task Two_backups_racing_to_fence_the_same_victim_exactly_one_wins()
    {
        for (int round = 0; round < 20; round++)
        {
            await using var rig = new EmulatorRig(3);
            var victim = rig.Node(1);
            var b2 = rig.Node(2);
            var b3 = rig.Node(3);
            await victim.RegisterOwnKeyAsync();
            await b2.RegisterOwnKeyAsync();
            await b3.RegisterOwnKeyAsync();

            var results = await Task.WhenAll(Task.Run(() => b2.FenceAsync(1)), Task.Run(() => b3.FenceAsync(1)));

            Assert.All(results, r => Assert.True(r.Succeeded, r.Message)); // the victim is fenced either way
            Assert.Single(results, r => r.ByThisNode);                      // but only one preempted it
            Assert.Contains(results, r => r.Message.Contains("lost the race", StringComparison.Ordinal));
            Assert.Equal([EmulatorRig.KeyOf(2), EmulatorRig.KeyOf(3)], await b2.ReadKeysAsync());
        }
    }

    [Fact]
    public async Task Two_nodes_fencing_each_other_exactly_one_wins_and_the_loser_learns_it_was_fenced()
    {
        for (int round = 0; round < 20; round++)
        {
            await using var rig = new EmulatorRig();
            var n1 = rig.Node(1);
            var n2 = rig.Node(2);
            await n1.RegisterOwnKeyAsync();
            await n2.RegisterOwnKeyAsync();
            int removed = 0;
            n1.OwnKeyRemoved += _ => Interlocked.Increment(ref removed);
            n2.OwnKeyRemoved += _ => Interlocked.Increment(ref removed);

            var results = await Task.WhenAll(Task.Run(() => n1.FenceAsync(2)), Task.Run(() => n2.FenceAsync(1)));

            Assert.Single(results, r => r.Succeeded);
            Assert.Single(results, r => r.Succeeded && r.ByThisNode);
            Assert.Single(await n1.ReadKeysAsync());
            Assert.True(removed >= 1);
        }
    }

    [Fact]
    public async Task A_fenced_node_cannot_fence_back_and_does_not_re_register_itself()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();
        Assert.True((await n2.FenceAsync(1)).Succeeded);
        string? removedFrom = null;
        n1.OwnKeyRemoved += d => removedFrom = d;

        var back = await n1.FenceAsync(2);

        Assert.False(back.Succeeded);
        Assert.Contains("it was fenced itself", back.Message);
        Assert.NotNull(removedFrom);
        Assert.Equal([EmulatorRig.KeyOf(2)], await n2.ReadKeysAsync());
    }

    [Fact]
    public async Task Fencing_a_key_that_is_not_registered_succeeds_but_not_by_this_node_and_fencing_oneself_is_refused()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        await n1.RegisterOwnKeyAsync();
        var absent = await n1.FenceAsync(7);
        Assert.True(absent.Succeeded, absent.Message);
        Assert.False(absent.ByThisNode);
        Assert.Contains("was not registered", absent.Won[0]);

        var self = await n1.FenceAsync(1);
        Assert.False(self.Succeeded);
        Assert.Contains("cannot fence itself", self.Message);
    }

    [Fact]
    public async Task After_nexus_loss_the_key_is_registered_again()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        await n1.RegisterOwnKeyAsync();
        var reRegistered = new TaskCompletionSource<(bool Ok, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        n1.NexusReRegistered += (_, ok, msg) => reRegistered.TrySetResult((ok, msg));

        rig.Transports[1][0].SimulateNexusLoss();
        Assert.Equal(FenceStatus.On, await n1.KeyStatusAsync(EmulatorRig.KeyOf(1))); // the next command opens a new nexus

        var (ok, message) = await reRegistered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ok, message);
        Assert.Contains("registered again", message);
        Assert.Equal(2, rig.Transports[1][0].NexusGeneration);
        Assert.Contains(EmulatorRig.KeyOf(1), await n1.ReadKeysAsync());
    }

    [Fact]
    public async Task After_nexus_loss_a_node_fenced_meanwhile_does_not_register_again()
    {
        await using var rig = new EmulatorRig();
        var n1 = rig.Node(1);
        var n2 = rig.Node(2);
        await n1.RegisterOwnKeyAsync();
        await n2.RegisterOwnKeyAsync();
        var handled = new TaskCompletionSource<(bool Ok, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        n1.NexusReRegistered += (_, ok, msg) => handled.TrySetResult((ok, msg));
        string? removed = null;
        n1.OwnKeyRemoved += d => removed = d;

        rig.Transports[1][0].SimulateNexusLoss();
        Assert.True((await n2.FenceAsync(1)).Succeeded);
        _ = await n1.KeyStatusAsync(EmulatorRig.KeyOf(2)); // node 1 reconnects

        var (ok, message) = await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(ok);
        Assert.Contains("this node was fenced; not registering again", message);
        Assert.NotNull(removed);
        Assert.Equal([EmulatorRig.KeyOf(2)], await n2.ReadKeysAsync());
    }
}

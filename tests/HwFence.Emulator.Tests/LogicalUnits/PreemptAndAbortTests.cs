using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Testing;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>
/// PREEMPT AND ABORT (SPC-4 §5.13.11.2.5): the preempted nexus's outstanding tasks are aborted, so a
/// write it queued before the fence never reaches the medium — the property fencing relies on.
/// </summary>
public sealed class PreemptAndAbortTests
{
    [Fact]
    public async Task Outstanding_write_of_the_preempted_nexus_is_aborted_and_never_lands()
    {
        var clock = new FakeTimeProvider();
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Time = clock });
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Register(0xA));
        Assert.Equal(ScsiStatus.Good, b.Register(0xB));
        Assert.Equal(ScsiStatus.Good, a.Reserve(0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly));

        // A's commands now take 10 s: its write is queued in the task set, not yet executed.
        f.Disk.Faults.For(DiskFixture.NodeA).Latency = TimeSpan.FromSeconds(10);
        var cdb = new byte[10];
        Cdb.Write10(cdb, 5, 1);
        var payload = Enumerable.Repeat((byte)0xEE, 512).ToArray();
        var pending = a.Transport.ExecuteAsync(cdb, DataDirection.ToDevice, payload, new byte[64], TimeSpan.FromMinutes(1)).AsTask();
        Assert.False(pending.IsCompleted);

        Assert.Equal(ScsiStatus.Good, b.Preempt(0xB, 0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ScsiStatus.TaskAborted, result.Status);

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(ScsiStatus.Good, b.Read(5, 1));
        Assert.All(b.LastData, x => Assert.Equal(0, x));
    }

    [Fact]
    public async Task Plain_preempt_does_not_abort_but_the_queued_write_then_conflicts()
    {
        var clock = new FakeTimeProvider();
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Time = clock });
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        a.Register(0xA);
        b.Register(0xB);
        a.Reserve(0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly);
        f.Disk.Faults.For(DiskFixture.NodeA).Latency = TimeSpan.FromSeconds(1);
        var cdb = new byte[10];
        Cdb.Write10(cdb, 5, 1);
        var pending = a.Transport.ExecuteAsync(cdb, DataDirection.ToDevice, new byte[512], new byte[64], TimeSpan.FromMinutes(1)).AsTask();
        Assert.Equal(ScsiStatus.Good, b.Preempt(0xB, 0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        clock.Advance(TimeSpan.FromSeconds(2));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        // The write executes after the preempt: a unit attention (registrations preempted) comes first.
        Assert.Equal(ScsiStatus.CheckCondition, result.Status);
        f.Disk.Faults.For(DiskFixture.NodeA).Clear();
        Assert.Equal(ScsiStatus.ReservationConflict, a.Write(5, new byte[512]));
    }

    [Fact]
    public async Task Concurrent_preempts_are_linearizable_exactly_one_node_ends_up_holding()
    {
        await using var f = new DiskFixture();
        const int nodes = 8;
        var initiators = Enumerable.Range(0, nodes).Select(i => f.Initiator($"iqn.2026-01.org.hwfence.test:race-{i}")).ToArray();
        for (int i = 0; i < nodes; i++)
        {
            Assert.Equal(ScsiStatus.Good, initiators[i].Register((ulong)(i + 1)));
        }

        Assert.Equal(ScsiStatus.Good, initiators[0].Reserve(1, PersistentReservationType.WriteExclusiveRegistrantsOnly));

        // Every other node tries to preempt the original holder at once; exactly one can succeed.
        var results = await Task.WhenAll(Enumerable.Range(1, nodes - 1).Select(i => Task.Run(() =>
            initiators[i].Preempt((ulong)(i + 1), 1, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true))));
        Assert.Equal(1, results.Count(s => s == ScsiStatus.Good));
        Assert.Equal(nodes - 2, results.Count(s => s == ScsiStatus.ReservationConflict));
        var holder = initiators[1].ReadReservation().Reservation!.Value.Key;
        Assert.InRange(holder, 2UL, (ulong)nodes);
    }
}

using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>
/// LOGICAL UNIT RESET / TARGET RESET issued through the loopback transport's <see cref="IScsiTaskManagement"/>
/// (what SPC-2 reserve fencing uses): SPC-2 reservation released, PR state kept, reset UA for every nexus.
/// </summary>
public sealed class LoopbackTaskManagementTests
{
    [Fact]
    public async Task Lu_reset_releases_reserve6_keeps_pr_and_sets_29_03_for_every_nexus()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        var c = f.Initiator(DiskFixture.NodeC);
        Assert.Equal(ScsiStatus.Good, c.RegisterIgnore(0xC0FFEE));
        Assert.Equal(ScsiStatus.Good, c.Reserve(0xC0FFEE, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        var prBefore = c.ReadReservation();

        // SPC-2 on a second disk: RESERVE(6) conflicts with PR registrations (SPC-4 §5.13.3).
        await using var g = new DiskFixture();
        var ga = g.Initiator(DiskFixture.NodeA);
        var gb = g.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, ga.Reserve6());
        Assert.Equal(ScsiStatus.ReservationConflict, gb.Tur());

        await ((IScsiTaskManagement)gb.Loopback).LogicalUnitResetAsync();
        gb.AssertCheck(gb.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred); // the issuer too (SAM-5 §7.7)
        ga.AssertCheck(ga.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.Equal(ScsiStatus.Good, gb.Reserve6()); // A's reservation is gone
        Assert.Equal(ScsiStatus.ReservationConflict, ga.Write(0, new byte[512]));

        // PR: registrations and the reservation persist across an LU reset.
        await ((IScsiTaskManagement)a.Loopback).LogicalUnitResetAsync();
        foreach (var i in new[] { a, b, c })
        {
            i.AssertCheck(i.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        }

        Assert.Equal([0xC0FFEEUL], c.ReadKeys().Keys);
        var prAfter = c.ReadReservation();
        Assert.Equal(prBefore.Reservation, prAfter.Reservation);
        Assert.Equal(ScsiStatus.ReservationConflict, b.Write(0, new byte[512]));
    }

    [Fact]
    public async Task Target_reset_releases_reserve6_and_sets_29_00()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        await ((IScsiTaskManagement)b.Loopback).TargetResetAsync();
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
    }

    [Fact]
    public async Task Lu_reset_aborts_the_victims_outstanding_command()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        f.Disk.Faults.For(DiskFixture.NodeA).Hang = true;
        var pending = a.Transport.ExecuteAsync(new byte[6], DataDirection.None, default, new byte[252], TimeSpan.FromMinutes(5)).AsTask();
        Assert.False(pending.IsCompleted);

        await ((IScsiTaskManagement)b.Loopback).LogicalUnitResetAsync();

        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ScsiStatus.TaskAborted, result.Status); // aborted by another nexus: TASK ABORTED status (TAS)
        f.Disk.Faults.For(DiskFixture.NodeA).Hang = false;
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
    }
}

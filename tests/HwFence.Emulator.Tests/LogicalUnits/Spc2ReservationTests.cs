using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>SPC-2 RESERVE(6)/RELEASE(6): one holder nexus, conflicts for the others, released on nexus loss and resets.</summary>
public sealed class Spc2ReservationTests
{
    [Fact]
    public async Task Reserve_by_a_makes_b_conflict_except_inquiry_and_release()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        Assert.Equal(ScsiStatus.Good, a.Reserve6()); // the holder may re-reserve
        Assert.Equal(ScsiStatus.Good, a.Tur());
        Assert.Equal(ScsiStatus.Good, a.Write(0, new byte[512]));

        Assert.Equal(ScsiStatus.ReservationConflict, b.Reserve6());
        Assert.Equal(ScsiStatus.ReservationConflict, b.Tur());
        Assert.Equal(ScsiStatus.ReservationConflict, b.Read(0, 1));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Write(0, new byte[512]));
        Assert.Equal(ScsiStatus.ReservationConflict, b.ModeSense6());
        Assert.Equal(ScsiStatus.Good, b.Run([0x12, 0, 0, 0, 36, 0], DataDirection.FromDevice, new byte[36]));
        Assert.Equal(ScsiStatus.Good, b.Release6()); // no-op for a non-holder
        Assert.Equal(ScsiStatus.ReservationConflict, b.Tur());

        Assert.Equal(ScsiStatus.Good, a.Release6());
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
        Assert.Equal(ScsiStatus.ReservationConflict, a.Tur());
    }

    [Fact]
    public async Task Reservation_is_released_when_the_holder_nexus_is_lost()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        a.Loopback.SimulateNexusLoss();
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
    }

    [Fact]
    public async Task Reservation_is_released_by_logical_unit_reset_and_target_reset()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        f.Disk.LogicalUnit.Reset(AdditionalSense.BusDeviceResetFunctionOccurred, "test LUN reset");
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.BusDeviceResetFunctionOccurred);

        f.Disk.Target.Reset(cold: false, issuer: null);
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
    }

    [Fact]
    public async Task Spc2_and_persistent_reservations_exclude_each_other()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        Assert.Equal(ScsiStatus.ReservationConflict, b.Register(0x1));
        Assert.Equal(ScsiStatus.ReservationConflict, a.Register(0x1)); // "regardless of initiator" (SPC-3 §5.6.1)
        Assert.Equal(ScsiStatus.Good, a.Release6());

        Assert.Equal(ScsiStatus.Good, b.Register(0x2));
        Assert.Equal(ScsiStatus.ReservationConflict, a.Reserve6()); // CRH=0: registrations exist
        Assert.Equal(ScsiStatus.ReservationConflict, b.Reserve6());
    }
}

using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>APTPL (SPC-4 §5.13.5): persistent reservations survive a power cycle only when activated.</summary>
public sealed class AptplTests
{
    [Fact]
    public async Task Registrations_and_reservation_survive_restart_with_aptpl()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Register(0xA, flags: PrOutFlags.Aptpl));
        Assert.Equal(ScsiStatus.Good, b.Register(0xB, flags: PrOutFlags.Aptpl));
        Assert.Equal(ScsiStatus.Good, a.Reserve(0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(ScsiStatus.ReservationConflict, a.Reserve6()); // SPC-2 RESERVE conflicts with registrations
        uint generation = a.ReadKeys().Generation;

        f.Disk.Restart();

        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        var keys = a.ReadKeys();
        Assert.Equal(new ulong[] { 0xA, 0xB }, keys.Keys);
        Assert.Equal(generation, keys.Generation);
        var r = a.ReadReservation().Reservation!.Value;
        Assert.Equal(0xAUL, r.Key);
        Assert.Equal(PersistentReservationType.WriteExclusiveRegistrantsOnly, r.Type);
        Assert.True(PrCapabilities.Parse(a.PrIn(PrInServiceAction.ReportCapabilities)).PersistThroughPowerLossActivated);
        var c = f.Initiator(DiskFixture.NodeC);
        Assert.Equal(ScsiStatus.ReservationConflict, c.Write(0, new byte[512]));
    }

    [Fact]
    public async Task Without_aptpl_a_restart_clears_every_registration()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Register(0xA));
        Assert.Equal(ScsiStatus.Good, a.Reserve(0xA, PersistentReservationType.ExclusiveAccess));
        f.Disk.Restart();
        a.ClearUnitAttentions();
        Assert.Empty(a.ReadKeys().Keys);
        Assert.Null(a.ReadReservation().Reservation);
    }

    [Fact]
    public async Task Aptpl_state_is_a_file_beside_the_backing_file_and_is_restored_by_a_new_process_view()
    {
        string path = Path.Combine(Path.GetTempPath(), $"h4-aptpl-{Guid.NewGuid():N}.img");
        try
        {
            await using (var f = new DiskFixture(EmulatedDisk.Open(path, 1 << 20, "aptpl-" + Guid.NewGuid().ToString("N")[..8])))
            {
                var a = f.Initiator(DiskFixture.NodeA);
                Assert.Equal(ScsiStatus.Good, a.Register(0x1234, flags: PrOutFlags.Aptpl));
                Assert.Equal(ScsiStatus.Good, a.Reserve(0x1234, PersistentReservationType.ExclusiveAccess));
                Assert.Equal(ScsiStatus.Good, a.Write(7, Enumerable.Repeat((byte)0x5A, 512).ToArray(), fua: true));
            }

            Assert.True(File.Exists(path + ".pr"));
            await using (var f = new DiskFixture(EmulatedDisk.Open(path, 1 << 20, "aptpl-" + Guid.NewGuid().ToString("N")[..8])))
            {
                var b = f.Initiator(DiskFixture.NodeB);
                Assert.Equal(new ulong[] { 0x1234 }, b.ReadKeys().Keys);
                Assert.Equal(ScsiStatus.ReservationConflict, b.Read(7, 1)); // EA held by A's initiator port
                var a = f.Initiator(DiskFixture.NodeA);
                Assert.Equal(ScsiStatus.Good, a.Read(7, 1));
                Assert.All(a.LastData, x => Assert.Equal(0x5A, x));

                // Clearing APTPL removes the file.
                Assert.Equal(ScsiStatus.Good, a.Register(0x1234, oldKey: 0x1234));
                Assert.False(File.Exists(path + ".pr"));
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".pr");
        }
    }
}

using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Scsi.Tests.Commands;

public sealed class CdbTests
{
    private static byte[] Build(Func<byte[], int> write, int size = Cdb.MaxLength)
    {
        var buffer = Enumerable.Repeat((byte)0xEE, size).ToArray(); // garbage the builder must clear
        int n = write(buffer);
        return buffer[..n];
    }

    [Fact]
    public void TestUnitReady_is_six_zero_bytes() =>
        Assert.Equal(new byte[6], Build(b => Cdb.TestUnitReady(b)));

    [Fact]
    public void RequestSense_sets_desc_and_allocation_length() =>
        Assert.Equal([0x03, 0x01, 0, 0, 252, 0], Build(b => Cdb.RequestSense(b, 252, descriptorFormat: true)));

    [Fact]
    public void Inquiry_standard_and_vpd()
    {
        Assert.Equal([0x12, 0, 0, 0, 96, 0], Build(b => Cdb.Inquiry(b, 96)));
        Assert.Equal([0x12, 1, 0x83, 0x01, 0x00, 0], Build(b => Cdb.Inquiry(b, 256, 0x83)));
        Assert.Equal([0x12, 1, 0x00, 0xFF, 0xFF, 0], Build(b => Cdb.Inquiry(b, 65535, 0x00)));
    }

    [Fact]
    public void Inquiry_rejects_allocation_length_beyond_16_bits()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Cdb.Inquiry(new byte[6], 65536));
        Assert.Contains("allocationLength", ex.Message);
    }

    [Fact]
    public void ReportLuns_layout_and_minimum()
    {
        Assert.Equal([0xA0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], Build(b => Cdb.ReportLuns(b, 4096)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cdb.ReportLuns(new byte[12], 15));
    }

    [Fact]
    public void ReadCapacity10_and_16()
    {
        Assert.Equal([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], Build(b => Cdb.ReadCapacity10(b)));
        Assert.Equal([0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], Build(b => Cdb.ReadCapacity16(b)));
    }

    [Fact]
    public void Read10_and_Write10_place_lba_length_and_fua()
    {
        Assert.Equal([0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0x01, 0x02, 0], Build(b => Cdb.Read10(b, 0x12345678, 0x0102)));
        Assert.Equal([0x2A, 0x08, 0, 0, 0, 9, 0, 0, 1, 0], Build(b => Cdb.Write10(b, 9, 1, fua: true)));
        Assert.False(Cdb.HasFua(Build(b => Cdb.Write10(b, 9, 1))));
        Assert.True(Cdb.HasFua(Build(b => Cdb.Read10(b, 9, 1, fua: true))));
    }

    [Fact]
    public void Read16_and_Write16_place_64_bit_lba()
    {
        Assert.Equal(
            [0x88, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0, 0, 0x10, 0x00, 0, 0],
            Build(b => Cdb.Read16(b, 0x0102030405060708, 0x1000)));
        Assert.Equal(
            [0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0],
            Build(b => Cdb.Write16(b, 1, 2, fua: true)));
    }

    [Fact]
    public void SynchronizeCache10_immed_lba_blocks() =>
        Assert.Equal([0x35, 0x02, 0, 0, 0, 5, 0, 0, 3, 0], Build(b => Cdb.SynchronizeCache10(b, 5, 3, immediate: true)));

    [Fact]
    public void Reserve6_and_Release6()
    {
        Assert.Equal([0x16, 0, 0, 0, 0, 0], Build(b => Cdb.Reserve6(b)));
        Assert.Equal([0x17, 0, 0, 0, 0, 0], Build(b => Cdb.Release6(b)));
    }

    [Theory]
    [InlineData(PrInServiceAction.ReadKeys)]
    [InlineData(PrInServiceAction.ReadReservation)]
    [InlineData(PrInServiceAction.ReportCapabilities)]
    [InlineData(PrInServiceAction.ReadFullStatus)]
    public void PersistentReserveIn_service_actions(PrInServiceAction action) =>
        Assert.Equal([0x5E, (byte)action, 0, 0, 0, 0, 0, 0x20, 0x00, 0], Build(b => Cdb.PersistentReserveIn(b, action, 0x2000)));

    public static TheoryData<PrOutServiceAction, PersistentReservationType> PrOutCases()
    {
        var data = new TheoryData<PrOutServiceAction, PersistentReservationType>();
        foreach (var action in new[]
                 {
                     PrOutServiceAction.Register, PrOutServiceAction.RegisterAndIgnoreExistingKey, PrOutServiceAction.Reserve,
                     PrOutServiceAction.Release, PrOutServiceAction.Clear, PrOutServiceAction.Preempt, PrOutServiceAction.PreemptAndAbort,
                 })
        {
            foreach (var type in PersistentReservationTypeNames.All)
            {
                data.Add(action, type);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PrOutCases))]
    public void PersistentReserveOut_every_action_and_type(PrOutServiceAction action, PersistentReservationType type) =>
        Assert.Equal([0x5F, (byte)action, (byte)type, 0, 0, 0, 0, 0, 24, 0], Build(b => Cdb.PersistentReserveOut(b, action, type)));

    [Fact]
    public void PersistentReserveOut_without_type_sends_zero_and_custom_length() =>
        Assert.Equal([0x5F, 0x00, 0, 0, 0, 0, 0, 0x01, 0x00, 0], Build(b => Cdb.PersistentReserveOut(b, PrOutServiceAction.Register, null, 256)));

    [Fact]
    public void Builders_reject_a_short_buffer_naming_the_need()
    {
        var ex = Assert.Throws<ArgumentException>(() => Cdb.Read16(new byte[10], 0, 1));
        Assert.Contains("needs 16", ex.Message);
        Assert.Throws<ArgumentException>(() => Cdb.TestUnitReady(new byte[5]));
    }

    [Fact]
    public void Command_names_cover_opcodes_and_service_actions()
    {
        Assert.Equal("WRITE(10)", ScsiCommandNames.Name(Build(b => Cdb.Write10(b, 0, 1))));
        Assert.Equal("READ CAPACITY(16)", ScsiCommandNames.Name(Build(b => Cdb.ReadCapacity16(b))));
        Assert.Equal("PERSISTENT RESERVE OUT (PREEMPT AND ABORT)",
            ScsiCommandNames.Name(Build(b => Cdb.PersistentReserveOut(b, PrOutServiceAction.PreemptAndAbort, PersistentReservationType.ExclusiveAccess))));
        Assert.Equal("PERSISTENT RESERVE IN (READ KEYS)", ScsiCommandNames.Name(Build(b => Cdb.PersistentReserveIn(b, PrInServiceAction.ReadKeys, 8))));
        Assert.Equal("OPERATION CODE 0xC1", ScsiCommandNames.Name([0xC1]));
        Assert.Equal("(empty CDB)", ScsiCommandNames.Name([]));
        Assert.Same(ScsiCommandNames.Name([0x00, 0, 0, 0, 0, 0]), ScsiCommandNames.Name([0x00, 0, 0, 0, 0, 0]));
    }
}

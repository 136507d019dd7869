using System.Buffers.Binary;
using System.Text;
using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>SPC-4 / SBC-3 commands of the emulated logical unit, through the loopback transport.</summary>
public sealed class BasicCommandTests
{
    [Fact]
    public async Task First_command_of_a_new_nexus_reports_power_on_then_good()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA, clearUnitAttentions: false);
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Nexus_loss_is_reported_to_the_next_nexus_of_the_same_initiator_port()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        long replaced = 0;
        a.Transport.NexusReplaced += g => replaced = g;
        a.Loopback.SimulateNexusLoss();
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.ITNexusLossOccurred);
        Assert.Equal(2, replaced);
        Assert.Equal(2, a.Transport.NexusGeneration);
    }

    [Fact]
    public async Task Inquiry_and_request_sense_do_not_consume_a_unit_attention_the_way_tur_does()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA, clearUnitAttentions: false);
        Assert.Equal(ScsiStatus.Good, a.Run([0x12, 0, 0, 0, 96, 0], DataDirection.FromDevice, new byte[96]));
        Assert.Equal(ScsiStatus.Good, a.Run([0x03, 0, 0, 0, 18, 0], DataDirection.FromDevice, new byte[18]));
        var s = SenseData.Parse(a.LastData);
        Assert.Equal(SenseKey.UnitAttention, s.Key); // REQUEST SENSE returned and cleared it
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Standard_inquiry_names_an_spc4_direct_access_device()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Run([0x12, 0, 0, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
        var d = a.LastData;
        Assert.Equal(0x00, d[0]);
        Assert.Equal(0x06, d[2]);
        Assert.Equal(2, d[3] & 0x0F);
        Assert.Equal(d.Length - 5, d[4]);
        Assert.Equal("HWFENCE ", Encoding.ASCII.GetString(d, 8, 8));
        Assert.Equal(0x02, d[7] & 0x02); // CMDQUE
    }

    [Fact]
    public async Task Vpd_pages_list_serial_and_a_stable_naa_identifier()
    {
        string path = Path.Combine(Path.GetTempPath(), $"h4-vpd-{Guid.NewGuid():N}.img");
        try
        {
            byte[] naa1, naa2;
            string serial1;
            await using (var f = new DiskFixture(EmulatedDisk.Open(path, 1 << 20, "vpd-" + Guid.NewGuid().ToString("N")[..8])))
            {
                var a = f.Initiator(DiskFixture.NodeA);
                Assert.Equal(ScsiStatus.Good, a.Run([0x12, 1, 0x00, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
                Assert.Equal(new byte[] { 0x00, 0x80, 0x83, 0xB0, 0xB1 }, a.LastData[4..]);
                Assert.Equal(ScsiStatus.Good, a.Run([0x12, 1, 0x80, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
                serial1 = Encoding.ASCII.GetString(a.LastData, 4, a.LastData[3]);
                naa1 = FirstNaa(a);
            }

            await using (var f = new DiskFixture(EmulatedDisk.Open(path, 1 << 20, "vpd-" + Guid.NewGuid().ToString("N")[..8])))
            {
                var a = f.Initiator(DiskFixture.NodeB);
                naa2 = FirstNaa(a);
                Assert.Equal(ScsiStatus.Good, a.Run([0x12, 1, 0x80, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
                Assert.Equal(serial1, Encoding.ASCII.GetString(a.LastData, 4, a.LastData[3]));
            }

            Assert.Equal(naa1, naa2);
            Assert.Equal(0x3, naa1[0] >> 4); // NAA 3, locally assigned
        }
        finally
        {
            File.Delete(path);
        }

        static byte[] FirstNaa(TestInitiator a)
        {
            Assert.Equal(ScsiStatus.Good, a.Run([0x12, 1, 0x83, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
            var d = a.LastData;
            int len = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(2));
            for (int p = 4; p < 4 + len; p += 4 + d[p + 3])
            {
                if ((d[p + 1] & 0x0F) == 3)
                {
                    return d.AsSpan(p + 4, d[p + 3]).ToArray();
                }
            }

            throw new Xunit.Sdk.XunitException("no NAA designator in VPD 0x83");
        }
    }

    [Fact]
    public async Task Read_capacity_reports_last_lba_and_block_length()
    {
        await using var f = new DiskFixture(size: 8L * 1024 * 1024);
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.ReadCapacity10());
        Assert.Equal(8u * 1024 * 1024 / 512 - 1, BinaryPrimitives.ReadUInt32BigEndian(a.LastData));
        Assert.Equal(512u, BinaryPrimitives.ReadUInt32BigEndian(a.LastData.AsSpan(4)));
        Assert.Equal(ScsiStatus.Good, a.Run([0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], DataDirection.FromDevice, new byte[32]));
        Assert.Equal(8UL * 1024 * 1024 / 512 - 1, BinaryPrimitives.ReadUInt64BigEndian(a.LastData));
    }

    [Fact]
    public async Task Written_blocks_read_back_and_out_of_range_lba_is_refused()
    {
        await using var f = new DiskFixture(size: 1 << 20);
        var a = f.Initiator(DiskFixture.NodeA);
        var data = new byte[1024];
        Random.Shared.NextBytes(data);
        Assert.Equal(ScsiStatus.Good, a.Write(100, data, fua: true));
        Assert.Equal(ScsiStatus.Good, a.Read(100, 2));
        Assert.Equal(data, a.LastData);
        a.AssertCheck(a.Read(2047, 2), SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        a.AssertCheck(a.Write(2048, new byte[512]), SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        Assert.Equal(ScsiStatus.Good, a.Run([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // SYNCHRONIZE CACHE(10)
    }

    [Fact]
    public async Task Unknown_opcode_and_bad_fields_get_illegal_request_with_field_pointers()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        a.AssertCheck(a.Run([0xC7, 0, 0, 0, 0, 0]), SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode);
        Assert.Equal(new SenseKeySpecific(true, 0, null), a.LastSense!.Value.KeySpecific);

        // INQUIRY with a page code but no EVPD: byte 2 is wrong.
        a.AssertCheck(a.Run([0x12, 0, 0x80, 0, 96, 0], DataDirection.FromDevice, new byte[96]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
        Assert.Equal((ushort)2, a.LastSense!.Value.KeySpecific!.Value.FieldPointer);
        Assert.True(a.LastSense.Value.KeySpecific.Value.InCdb);

        // PERSISTENT RESERVE IN with a reserved service action: byte 1, bit 4.
        a.AssertCheck(a.Run([0x5E, 0x1F, 0, 0, 0, 0, 0, 0x10, 0, 0], DataDirection.FromDevice, new byte[4096]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
        Assert.Equal(new SenseKeySpecific(true, 1, 4), a.LastSense!.Value.KeySpecific);

        // Unsupported VPD page.
        a.AssertCheck(a.Run([0x12, 1, 0xC9, 0, 96, 0], DataDirection.FromDevice, new byte[96]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);

        // Unsupported mode page.
        a.AssertCheck(a.Run([0x1A, 0, 0x19, 0, 255, 0], DataDirection.FromDevice, new byte[255]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task Mode_sense_returns_caching_and_control_pages_with_tas_set()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Run([0x1A, 0x08, 0x0A, 0, 255, 0], DataDirection.FromDevice, new byte[255]));
        var d = a.LastData;
        Assert.Equal(d.Length - 1, d[0]);
        Assert.Equal(0, d[3]); // DBD: no block descriptor
        Assert.Equal(0x0A, d[4]);
        Assert.Equal(0x40, d[4 + 5] & 0x40); // TAS
        Assert.Equal(ScsiStatus.Good, a.Run([0x5A, 0x00, 0x3F, 0, 0, 0, 0, 0x01, 0x00, 0], DataDirection.FromDevice, new byte[256]));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16BigEndian(a.LastData.AsSpan(6))); // block descriptor length
    }

    [Fact]
    public async Task Report_luns_lists_every_lun_and_a_missing_lun_is_not_supported()
    {
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Luns = 3 });
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Run([0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], DataDirection.FromDevice, new byte[256]));
        Assert.Equal(24u, BinaryPrimitives.ReadUInt32BigEndian(a.LastData));
        Assert.Equal(2, a.LastData[8 + 16 + 1]);
        a.AssertCheck(a.Run([0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0], DataDirection.FromDevice, new byte[256]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task Report_supported_operation_codes_lists_commands_and_one_command_usage()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Run([0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], DataDirection.FromDevice, new byte[4096]));
        int len = (int)BinaryPrimitives.ReadUInt32BigEndian(a.LastData);
        Assert.True(len >= 8 * 20);
        Assert.Equal(0, len % 8);
        Assert.Equal(ScsiStatus.Good, a.Run([0xA3, 0x0C, 0x01, 0x2A, 0, 0, 0, 0, 0x10, 0, 0, 0], DataDirection.FromDevice, new byte[64]));
        Assert.Equal(0x03, a.LastData[1] & 0x07); // supported per standard
        Assert.Equal(10, BinaryPrimitives.ReadUInt16BigEndian(a.LastData.AsSpan(2)));
        Assert.Equal(0x2A, a.LastData[4]);
    }

    [Fact]
    public async Task Residual_reports_underflow_when_the_allocation_length_is_smaller_than_the_buffer()
    {
        await using var f = new DiskFixture();
        var t = f.Disk.Connect(DiskFixture.NodeA);
        var buf = new byte[200];
        var sense = new byte[64];
        await t.ExecuteAsync(new byte[] { 0, 0, 0, 0, 0, 0 }, DataDirection.None, default, sense, TimeSpan.FromSeconds(5));
        var r = await t.ExecuteAsync(new byte[] { 0x12, 0, 0, 0, 36, 0 }, DataDirection.FromDevice, buf, sense, TimeSpan.FromSeconds(5));
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(164, r.Residual);
        await t.DisposeAsync();
    }

    [Fact]
    public async Task Write_shorter_than_its_cdb_writes_the_whole_blocks_sent_and_reports_overflow()
    {
        await using var f = new DiskFixture();
        var t = f.Disk.Connect(DiskFixture.NodeA);
        var a = new TestInitiator(t);
        a.ClearUnitAttentions();
        var sense = new byte[64];
        var oneBlock = Enumerable.Repeat((byte)0x42, 512).ToArray();

        // WRITE(10) of 2 blocks with only 1 block of data: that block is written, 512 bytes overflow.
        var r = await t.ExecuteAsync(new byte[] { 0x2A, 0, 0, 0, 0, 50, 0, 0, 2, 0 }, DataDirection.ToDevice, oneBlock, sense, TimeSpan.FromSeconds(5));
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(-512, r.Residual);
        Assert.Equal(ScsiStatus.Good, a.Read(50, 2));
        Assert.Equal(oneBlock, a.LastData[..512]);
        Assert.All(a.LastData[512..], x => Assert.Equal(0, x));

        // A partial block cannot be written: INVALID FIELD IN INFORMATION UNIT, nothing written.
        r = await t.ExecuteAsync(new byte[] { 0x2A, 0, 0, 0, 0, 60, 0, 0, 1, 0 }, DataDirection.ToDevice, new byte[200], sense, TimeSpan.FromSeconds(5));
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(new AdditionalSense(0x0E, 0x03), SenseData.Parse(sense.AsSpan(0, r.SenseLength)).Additional);
        await t.DisposeAsync();
    }
}

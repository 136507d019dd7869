using System.Buffers.Binary;
using System.Text;
using HwFence.Emulator.Nexus;
using HwFence.Scsi.Inquiry;

namespace HwFence.Emulator.LogicalUnits;

public sealed partial class EmulatedLogicalUnit
{
    private const byte VpdBlockLimits = 0xB0, VpdBlockCharacteristics = 0xB1;

    private static readonly SupportedVpdPages s_supportedPages = new(
        [VpdPageHeader.SupportedPages, VpdPageHeader.UnitSerialNumber, VpdPageHeader.DeviceIdentification, VpdBlockLimits, VpdBlockCharacteristics]);

    /// <summary>
    /// INQUIRY (SPC-4 §6.6). CDB: byte 1 bit 0 EVPD (bit 1 CMDDT obsolete, must be 0), byte 2 PAGE
    /// CODE, bytes 3-4 ALLOCATION LENGTH. Data formats are the Scsi layer's (HwFence.Scsi.Inquiry).
    /// </summary>
    private CommandOutcome Inquiry(ItNexus nexus, ref CommandIo io)
    {
        var cdb = io.Cdb;
        int alloc = BinaryPrimitives.ReadUInt16BigEndian(cdb[3..]);
        if ((cdb[1] & 0x02) != 0)
        {
            return io.InvalidField(1, 1);
        }

        Span<byte> buf = stackalloc byte[512];
        buf.Clear();
        if ((cdb[1] & 0x01) == 0)
        {
            if (cdb[2] != 0)
            {
                return io.InvalidField(2, 7); // PAGE CODE must be zero without EVPD
            }

            // Standard data: SBC device, SPC-4, HISUP, MULTIP (two target ports), CMDQUE.
            var standard = new StandardInquiryData(0, StandardInquiryData.DirectAccessBlockDevice, false, StandardInquiryData.VersionSpc4,
                2, true, 0, false, true, true, _options.Vendor, _options.Product, _options.Revision);
            int n = standard.Write(buf);
            return io.Respond(buf[..AppendVersionDescriptors(buf, n)], alloc);
        }

        int len = cdb[2] switch
        {
            VpdPageHeader.SupportedPages => s_supportedPages.Write(buf),
            VpdPageHeader.UnitSerialNumber => new UnitSerialNumberPage(_serial).Write(buf),
            VpdPageHeader.DeviceIdentification => DeviceIdentification(nexus).Write(buf),
            VpdBlockLimits => BlockLimitsPage(buf),
            VpdBlockCharacteristics => BlockCharacteristicsPage(buf),
            _ => -1,
        };
        return len < 0 ? io.InvalidField(2, 7) : io.Respond(buf[..len], alloc);
    }

    /// <summary>
    /// Extends the 36 mandatory bytes with VERSION DESCRIPTORS (SPC-4 §6.6.2, table 144, bytes
    /// 58-73): SAM-5, iSCSI, SPC-4, SBC-3 — initiators look for SBC-3 before trusting VPD 0xB0.
    /// </summary>
    private static int AppendVersionDescriptors(Span<byte> b, int standardLength)
    {
        const int length = 74;
        b[standardLength..length].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(b[58..], 0x00A0); // SAM-5
        BinaryPrimitives.WriteUInt16BigEndian(b[60..], 0x0960); // iSCSI
        BinaryPrimitives.WriteUInt16BigEndian(b[62..], 0x0460); // SPC-4
        BinaryPrimitives.WriteUInt16BigEndian(b[64..], 0x04C0); // SBC-3
        b[4] = length - 5; // ADDITIONAL LENGTH
        return length;
    }

    /// <summary>
    /// VPD 0x83 Device Identification (SPC-4 §7.8.6): NAA (locally assigned, derived from the
    /// backing file), T10 vendor id, then for the target port the command came through its relative
    /// target port identifier and SCSI name string, and the target device's name.
    /// </summary>
    private DeviceIdentificationPage DeviceIdentification(ItNexus nexus)
    {
        var relativePort = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(relativePort.AsSpan(2), nexus.Target.RelativeId);
        return new DeviceIdentificationPage(
        [
            Designator.Naa(_naa),
            Designator.T10(_options.Vendor, _serial),
            new Designator(DesignatorType.RelativeTargetPort, DesignatorCodeSet.Binary, DesignatorAssociation.TargetPort, 5, true, relativePort),
            new Designator(DesignatorType.ScsiNameString, DesignatorCodeSet.Utf8, DesignatorAssociation.TargetPort, 5, true, ScsiName(nexus.Target.PortName)),
            new Designator(DesignatorType.ScsiNameString, DesignatorCodeSet.Utf8, DesignatorAssociation.TargetDevice, 5, true, ScsiName(nexus.Target.TargetName)),
        ]);
    }

    /// <summary>SCSI name string designator value: UTF-8, null-terminated, padded to a multiple of 4 (SPC-4 §7.8.6.11).</summary>
    private static byte[] ScsiName(string name)
    {
        int n = Math.Min(Encoding.UTF8.GetByteCount(name), 200);
        var value = new byte[(n + 1 + 3) & ~3];
        Encoding.UTF8.GetBytes(name.AsSpan(), value.AsSpan(0, n + 1));
        value.AsSpan(n).Clear();
        return value;
    }

    /// <summary>VPD 0xB0 Block Limits (SBC-3 §6.5.3): only MAXIMUM / OPTIMAL TRANSFER LENGTH are set.</summary>
    private int BlockLimitsPage(Span<byte> b)
    {
        VpdPageHeader.Write(b, VpdBlockLimits, 0x3C);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], (uint)_options.MaxTransferBlocks);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], (uint)Math.Min(_options.MaxTransferBlocks, 2048));
        return 0x40;
    }

    /// <summary>VPD 0xB1 Block Device Characteristics (SBC-3 §6.5.2): non-rotating medium.</summary>
    private static int BlockCharacteristicsPage(Span<byte> b)
    {
        VpdPageHeader.Write(b, VpdBlockCharacteristics, 0x3C);
        b[5] = 0x01; // MEDIUM ROTATION RATE = 1: non-rotating (solid state)
        return 0x40;
    }
}

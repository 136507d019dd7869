using System.Buffers.Binary;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

public sealed partial class EmulatedLogicalUnit
{
    private const byte PageCaching = 0x08, PageControl = 0x0A, PageInformationalExceptions = 0x1C, PageAll = 0x3F;

    /// <summary>
    /// MODE SENSE(6) / MODE SENSE(10) (SPC-4 §6.11, §6.12). CDB(6): byte 1 DBD(3), byte 2 PC(7-6) |
    /// PAGE CODE(5-0), byte 3 SUBPAGE CODE, byte 4 ALLOCATION LENGTH. CDB(10): byte 1 LLBAA(4) DBD(3),
    /// bytes 7-8 ALLOCATION LENGTH. Pages: Caching (0x08), Control (0x0A), Informational Exceptions
    /// (0x1C), all (0x3F). Saved values are not supported (PC=3 → SAVING PARAMETERS NOT SUPPORTED).
    /// </summary>
    private CommandOutcome ModeSense(ref CommandIo io)
    {
        var cdb = io.Cdb;
        bool ten = cdb[0] == ScsiOpcode.ModeSense10;
        bool dbd = (cdb[1] & 0x08) != 0;
        bool llbaa = ten && (cdb[1] & 0x10) != 0;
        int pc = cdb[2] >> 6;
        int page = cdb[2] & 0x3F;
        int subpage = cdb[3];
        int alloc = ten ? BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]) : cdb[4];
        if (pc == 3)
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.SavingParametersNotSupported, new SenseKeySpecific(true, 2, 7));
        }

        if (subpage != 0 && !(page == PageAll && subpage == 0xFF))
        {
            return io.InvalidField(3);
        }

        bool changeable = pc == 1;
        Span<byte> buf = stackalloc byte[128];
        buf.Clear();
        int header = ten ? 8 : 4;
        int p = header;
        if (!dbd)
        {
            p += BlockDescriptor(buf[p..], llbaa);
        }

        int descriptorLength = p - header;
        int before = p;
        if (page is PageCaching or PageAll)
        {
            p += CachingPage(buf[p..], changeable);
        }

        if (page is PageControl or PageAll)
        {
            p += ControlPage(buf[p..], changeable);
        }

        if (page is PageInformationalExceptions or PageAll)
        {
            p += InformationalExceptionsPage(buf[p..]);
        }

        if (p == before)
        {
            return io.InvalidField(2, 5); // unsupported PAGE CODE
        }

        // Mode parameter header (SPC-4 §7.5.5): DEVICE-SPECIFIC PARAMETER bit 4 = DPOFUA (SBC-3 §6.4.1).
        if (ten)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buf, (ushort)(p - 2));
            buf[3] = 0x10;
            buf[4] = (byte)(llbaa && !dbd ? 0x01 : 0x00);
            BinaryPrimitives.WriteUInt16BigEndian(buf[6..], (ushort)descriptorLength);
        }
        else
        {
            buf[0] = (byte)(p - 1);
            buf[2] = 0x10;
            buf[3] = (byte)descriptorLength;
        }

        return io.Respond(buf[..p], alloc);
    }

    /// <summary>Short (8-byte) or long LBA (16-byte) block descriptor (SBC-3 §6.4.2).</summary>
    private int BlockDescriptor(Span<byte> b, bool longLba)
    {
        if (longLba)
        {
            BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)BlockCount);
            BinaryPrimitives.WriteUInt32BigEndian(b[12..], (uint)BlockSize);
            return 16;
        }

        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)Math.Min(BlockCount, uint.MaxValue));
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], (uint)BlockSize); // byte 4 density code 0, 5-7 length
        return 8;
    }

    /// <summary>Caching mode page (SBC-3 §6.4.5): WCE=1 (writes land in the page cache; FUA and SYNCHRONIZE CACHE make them durable).</summary>
    private static int CachingPage(Span<byte> b, bool changeable)
    {
        b[0] = PageCaching;
        b[1] = 0x12;
        if (!changeable)
        {
            b[2] = 0x04; // WCE
        }

        return 20;
    }

    /// <summary>
    /// Control mode page (SPC-4 §7.5.7): TST=0 (one task set per nexus), D_SENSE=0 (fixed sense),
    /// QUEUE ALGORITHM MODIFIER=1 (unrestricted reordering), TAS=1 (tasks aborted by another nexus's
    /// action end with TASK ABORTED status).
    /// </summary>
    private static int ControlPage(Span<byte> b, bool changeable)
    {
        b[0] = PageControl;
        b[1] = 0x0A;
        if (!changeable)
        {
            b[3] = 0x10;
            b[5] = 0x40;
            BinaryPrimitives.WriteUInt16BigEndian(b[8..], 0xFFFF); // BUSY TIMEOUT PERIOD: unlimited
        }

        return 12;
    }

    /// <summary>Informational Exceptions Control mode page (SPC-4 §7.5.12): reporting disabled.</summary>
    private static int InformationalExceptionsPage(Span<byte> b)
    {
        b[0] = PageInformationalExceptions;
        b[1] = 0x0A;
        return 12;
    }
}

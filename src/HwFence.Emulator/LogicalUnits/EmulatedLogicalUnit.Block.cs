using System.Buffers.Binary;
using HwFence.Scsi.Capacity;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

public sealed partial class EmulatedLogicalUnit
{
    /// <summary>INVALID FIELD IN INFORMATION UNIT (0E/03, SPC-4 Annex D). TODO(h1): move to Scsi AdditionalSense.</summary>
    private static readonly AdditionalSense InvalidFieldInInformationUnit = new(0x0E, 0x03);

    /// <summary>
    /// READ CAPACITY(10) (SBC-3 §5.15): bytes 2-5 LBA must be 0 unless PMI (byte 8 bit 0), which is
    /// obsolete and answered like PMI=0. Returns LAST LBA (0xFFFFFFFF when it does not fit) and block length.
    /// </summary>
    private CommandOutcome ReadCapacity10(ref CommandIo io)
    {
        if ((io.Cdb[8] & 0x01) == 0 && ReadUInt32(io.Cdb[2..]) != 0)
        {
            return io.InvalidField(2);
        }

        Span<byte> b = stackalloc byte[ReadCapacity10Data.Length];
        return io.Respond(b[..ReadCapacity10Data.Write(b, (ulong)BlockCount, (uint)BlockSize)], ReadCapacity10Data.Length);
    }

    /// <summary>READ CAPACITY(16) (SBC-3 §5.16): bytes 10-13 ALLOCATION LENGTH; 32 bytes of parameter data.</summary>
    private CommandOutcome ReadCapacity16(ref CommandIo io)
    {
        if ((io.Cdb[14] & 0x01) == 0 && BinaryPrimitives.ReadUInt64BigEndian(io.Cdb[2..]) != 0)
        {
            return io.InvalidField(2);
        }

        Span<byte> b = stackalloc byte[ReadCapacity16Data.Length];
        int n = new ReadCapacity16Data((ulong)(BlockCount - 1), (uint)BlockSize).Write(b);
        return io.Respond(b[..n], (int)Math.Min(ReadUInt32(io.Cdb[10..]), int.MaxValue));
    }

    /// <summary>Decodes LBA, TRANSFER LENGTH and the flags byte of READ/WRITE/VERIFY/SYNCHRONIZE CACHE (10/12/16).</summary>
    private static void DecodeBlockCdb(ReadOnlySpan<byte> cdb, out ulong lba, out uint blocks)
    {
        switch (cdb[0])
        {
            case ScsiOpcode.Read16 or ScsiOpcode.Write16 or ScsiOpcode.SynchronizeCache16:
                lba = BinaryPrimitives.ReadUInt64BigEndian(cdb[2..]);
                blocks = BinaryPrimitives.ReadUInt32BigEndian(cdb[10..]);
                break;
            case ScsiOpcode.Read12 or ScsiOpcode.Write12:
                lba = BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]);
                blocks = BinaryPrimitives.ReadUInt32BigEndian(cdb[6..]);
                break;
            default:
                lba = BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]);
                blocks = BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]);
                break;
        }
    }

    /// <summary>SBC-3 §4.5: LBA + TRANSFER LENGTH must stay within the capacity.</summary>
    private bool InRange(ulong lba, uint blocks) => lba <= (ulong)BlockCount && (ulong)BlockCount - lba >= blocks;

    /// <summary>
    /// READ(10/12/16) (SBC-3 §5.8-5.10): byte 1 RDPROTECT(7-5) must be 0 (no protection information),
    /// DPO(4) and FUA(3) accepted (reads come from the current medium state either way).
    /// </summary>
    private CommandOutcome Read(ref CommandIo io)
    {
        if ((io.Cdb[1] & 0xE0) != 0)
        {
            return io.InvalidField(1, 7);
        }

        DecodeBlockCdb(io.Cdb, out ulong lba, out uint blocks);
        if (!InRange(lba, blocks))
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        }

        long bytes = (long)blocks * BlockSize;
        if (bytes > int.MaxValue)
        {
            return io.InvalidField(io.Cdb[0] == ScsiOpcode.Read16 ? 10 : 7);
        }

        int copy = (int)Math.Min(bytes, io.DataIn.Length);
        _store.Read((long)lba * BlockSize, io.DataIn[..copy]);
        return CommandOutcome.Good((int)bytes);
    }

    /// <summary>
    /// WRITE(10/12/16) (SBC-3 §5.32-5.34): WRPROTECT must be 0; FUA (byte 1 bit 3) makes the data
    /// durable before GOOD. A data-out shorter than TRANSFER LENGTH is refused as a whole (never a
    /// partial write).
    /// </summary>
    private CommandOutcome Write(ref CommandIo io)
    {
        if ((io.Cdb[1] & 0xE0) != 0)
        {
            return io.InvalidField(1, 7);
        }

        DecodeBlockCdb(io.Cdb, out ulong lba, out uint blocks);
        if (!InRange(lba, blocks))
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        }

        long bytes = (long)blocks * BlockSize;
        if (bytes > int.MaxValue)
        {
            return io.InvalidField(io.Cdb[0] switch { ScsiOpcode.Write16 => 10, ScsiOpcode.Write12 => 6, _ => 7 });
        }

        // Residual overflow (SAM-5 §5.4.3, RFC 7143 §11.4.5.2): the initiator sent less than the CDB
        // asks for. Whole blocks it did send are written and the shortfall is reported as overflow; a
        // partial block cannot be written: INVALID FIELD IN INFORMATION UNIT, nothing written.
        int available = (int)Math.Min(bytes, io.DataOut.Length);
        if (available % BlockSize != 0)
        {
            var check = io.Check(SenseKey.IllegalRequest, InvalidFieldInInformationUnit);
            return check with { TransferLength = (int)bytes };
        }

        bool fua = (io.Cdb[1] & 0x08) != 0;
        if (available > 0)
        {
            _store.Write((long)lba * BlockSize, io.DataOut[..available], fua);
        }

        return CommandOutcome.Good((int)bytes);
    }

    /// <summary>
    /// VERIFY(10) (SBC-3 §5.28): BYTCHK (byte 1 bits 2-1) 00 = medium check only (always good here),
    /// 01 = compare the data-out with the medium (MISCOMPARE on a difference).
    /// </summary>
    private CommandOutcome Verify(ref CommandIo io)
    {
        if ((io.Cdb[1] & 0xE0) != 0)
        {
            return io.InvalidField(1, 7);
        }

        int bytchk = (io.Cdb[1] >> 1) & 0x03;
        if (bytchk > 1)
        {
            return io.InvalidField(1, 2);
        }

        DecodeBlockCdb(io.Cdb, out ulong lba, out uint blocks);
        if (!InRange(lba, blocks))
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        }

        if (bytchk == 0)
        {
            return CommandOutcome.Good();
        }

        int bytes = (int)Math.Min((long)blocks * BlockSize, int.MaxValue);
        if (bytes > io.DataOut.Length)
        {
            return io.InvalidField(7);
        }

        byte[] medium = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        try
        {
            _store.Read((long)lba * BlockSize, medium.AsSpan(0, bytes));
            return medium.AsSpan(0, bytes).SequenceEqual(io.DataOut[..bytes])
                ? CommandOutcome.Good(bytes)
                : io.Check(SenseKey.Miscompare, new AdditionalSense(0x1D, 0x00)); // MISCOMPARE DURING VERIFY OPERATION
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(medium);
        }
    }

    /// <summary>SYNCHRONIZE CACHE(10/16) (SBC-3 §5.24, §5.25): range-checked, then fsync of the medium.</summary>
    private CommandOutcome SynchronizeCache(ref CommandIo io)
    {
        DecodeBlockCdb(io.Cdb, out ulong lba, out uint blocks);
        if (!InRange(lba, blocks))
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
        }

        _store.Flush();
        return CommandOutcome.Good();
    }
}

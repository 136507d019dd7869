using System.Buffers.Binary;

namespace HwFence.Scsi.Commands;

public static partial class Cdb
{
    /// <summary>Length of the 10-byte commands.</summary>
    public const int Length10 = 10;

    /// <summary>Length of the 16-byte commands.</summary>
    public const int Length16 = 16;

    /// <summary>READ(10)/WRITE(10) byte 1 bit 3: FUA, force unit access (SBC-3 §5.11, §5.32).</summary>
    private const byte FuaBit = 0x08;

    /// <summary>READ CAPACITY(10) (SBC-3 §5.15): 10 bytes, everything but the opcode zero (PMI = 0).</summary>
    public static int ReadCapacity10(Span<byte> destination)
    {
        Start(destination, Length10, ScsiOpcode.ReadCapacity10);
        return Length10;
    }

    /// <summary>
    /// READ CAPACITY(16) (SBC-3 §5.16), a SERVICE ACTION IN(16) command.
    /// <code>
    ///  byte 0     OPERATION CODE (9Eh)
    ///  byte 1     SERVICE ACTION (10h)
    ///  byte 10-13 ALLOCATION LENGTH (big-endian; 32 returns all fields)
    ///  byte 15    CONTROL
    /// </code>
    /// </summary>
    public static int ReadCapacity16(Span<byte> destination, uint allocationLength = 32)
    {
        var cdb = Start(destination, Length16, ScsiOpcode.ServiceActionIn16);
        cdb[1] = ScsiOpcode.ReadCapacity16ServiceAction;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(10, 4), allocationLength);
        return Length16;
    }

    /// <summary>
    /// READ(10) (SBC-3 §5.11).
    /// <code>
    ///  byte 0   OPERATION CODE (28h)
    ///  byte 1   RDPROTECT (7-5) | DPO (4) | FUA (3) | RARC (2)
    ///  byte 2-5 LOGICAL BLOCK ADDRESS (big-endian)
    ///  byte 6   GROUP NUMBER
    ///  byte 7-8 TRANSFER LENGTH (blocks, big-endian)
    ///  byte 9   CONTROL
    /// </code>
    /// </summary>
    public static int Read10(Span<byte> destination, uint lba, ushort blocks, bool fua = false) =>
        Rw10(destination, ScsiOpcode.Read10, lba, blocks, fua);

    /// <summary>WRITE(10) (SBC-3 §5.32): same layout as READ(10); FUA makes the device write through its cache.</summary>
    public static int Write10(Span<byte> destination, uint lba, ushort blocks, bool fua = false) =>
        Rw10(destination, ScsiOpcode.Write10, lba, blocks, fua);

    /// <summary>
    /// READ(16) (SBC-3 §5.13).
    /// <code>
    ///  byte 0     OPERATION CODE (88h)
    ///  byte 1     RDPROTECT (7-5) | DPO (4) | FUA (3) | RARC (2)
    ///  byte 2-9   LOGICAL BLOCK ADDRESS (big-endian)
    ///  byte 10-13 TRANSFER LENGTH (blocks, big-endian)
    ///  byte 14    GROUP NUMBER
    ///  byte 15    CONTROL
    /// </code>
    /// </summary>
    public static int Read16(Span<byte> destination, ulong lba, uint blocks, bool fua = false) =>
        Rw16(destination, ScsiOpcode.Read16, lba, blocks, fua);

    /// <summary>WRITE(16) (SBC-3 §5.34): same layout as READ(16).</summary>
    public static int Write16(Span<byte> destination, ulong lba, uint blocks, bool fua = false) =>
        Rw16(destination, ScsiOpcode.Write16, lba, blocks, fua);

    /// <summary>
    /// SYNCHRONIZE CACHE(10) (SBC-3 §5.22). <paramref name="blocks"/> 0 means "from LBA to the end".
    /// <code>
    ///  byte 0   OPERATION CODE (35h)
    ///  byte 1   SYNC_NV (2, obsolete) | IMMED (1)
    ///  byte 2-5 LOGICAL BLOCK ADDRESS
    ///  byte 6   GROUP NUMBER
    ///  byte 7-8 NUMBER OF LOGICAL BLOCKS
    ///  byte 9   CONTROL
    /// </code>
    /// </summary>
    public static int SynchronizeCache10(Span<byte> destination, uint lba = 0, ushort blocks = 0, bool immediate = false)
    {
        var cdb = Start(destination, Length10, ScsiOpcode.SynchronizeCache10);
        cdb[1] = (byte)(immediate ? 0x02 : 0x00);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(2, 4), lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb.Slice(7, 2), blocks);
        return Length10;
    }

    /// <summary>True when <paramref name="cdb"/> is a READ/WRITE(10/12/16) with the FUA bit set.</summary>
    public static bool HasFua(ReadOnlySpan<byte> cdb) => cdb.Length > 1 && (cdb[1] & FuaBit) != 0;

    private static int Rw10(Span<byte> destination, byte opcode, uint lba, ushort blocks, bool fua)
    {
        var cdb = Start(destination, Length10, opcode);
        cdb[1] = fua ? FuaBit : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(2, 4), lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb.Slice(7, 2), blocks);
        return Length10;
    }

    private static int Rw16(Span<byte> destination, byte opcode, ulong lba, uint blocks, bool fua)
    {
        var cdb = Start(destination, Length16, opcode);
        cdb[1] = fua ? FuaBit : (byte)0;
        BinaryPrimitives.WriteUInt64BigEndian(cdb.Slice(2, 8), lba);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(10, 4), blocks);
        return Length16;
    }
}

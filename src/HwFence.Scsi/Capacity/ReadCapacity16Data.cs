using System.Buffers.Binary;

namespace HwFence.Scsi.Capacity;

/// <summary>
/// READ CAPACITY(16) parameter data (SBC-3 §5.16.2, table 65).
/// <code>
///  byte 0-7   RETURNED LOGICAL BLOCK ADDRESS (last LBA)
///  byte 8-11  LOGICAL BLOCK LENGTH IN BYTES
///  byte 12    reserved (7-4) | P_TYPE (3-1) | PROT_EN (0)
///  byte 13    P_I_EXPONENT (7-4) | LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT (3-0)
///  byte 14-15 LBPME (15) | LBPRZ (14) | LOWEST ALIGNED LOGICAL BLOCK ADDRESS (13-0)
///  byte 16-31 reserved
/// </code>
/// </summary>
public readonly record struct ReadCapacity16Data(
    ulong LastLba,
    uint BlockLength,
    bool ProtectionEnabled = false,
    byte ProtectionType = 0,
    byte LogicalBlocksPerPhysicalBlockExponent = 0,
    bool ThinProvisioned = false,
    bool ReadsZeroesWhenUnmapped = false,
    ushort LowestAlignedLba = 0)
{
    /// <summary>Full length of the data.</summary>
    public const int Length = 32;

    /// <summary>The shortest reply that still carries the capacity (LBA + block length).</summary>
    public const int MinimumLength = 12;

    private const string Format = "READ CAPACITY(16) data";

    /// <summary>Number of logical blocks (last LBA + 1).</summary>
    public ulong BlockCount => LastLba + 1;

    /// <summary>Capacity in bytes.</summary>
    public ulong CapacityBytes => BlockCount * BlockLength;

    /// <summary>Writes the 32 bytes, cut to <paramref name="destination"/>; returns bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        Span<byte> d = stackalloc byte[Length];
        d.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(d, LastLba);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], BlockLength);
        d[12] = (byte)(((ProtectionType & 0x07) << 1) | (ProtectionEnabled ? 1 : 0));
        d[13] = (byte)(LogicalBlocksPerPhysicalBlockExponent & 0x0F);
        BinaryPrimitives.WriteUInt16BigEndian(d[14..], (ushort)((ThinProvisioned ? 0x8000 : 0) | (ReadsZeroesWhenUnmapped ? 0x4000 : 0) | (LowestAlignedLba & 0x3FFF)));
        return AllocationLength.CopyTruncated(d[..Length], destination);
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out ReadCapacity16Data result, out string? error)
    {
        result = default;
        if (data.Length < MinimumLength)
        {
            error = $"{Format} truncated at {data.Length} bytes: LOGICAL BLOCK LENGTH (bytes 8-11) needs {MinimumLength}";
            return false;
        }

        ulong last = BinaryPrimitives.ReadUInt64BigEndian(data);
        uint blockLength = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
        if (data.Length < 16)
        {
            result = new ReadCapacity16Data(last, blockLength);
        }
        else
        {
            ushort w = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
            result = new ReadCapacity16Data(
                last, blockLength,
                ProtectionEnabled: (data[12] & 0x01) != 0,
                ProtectionType: (byte)((data[12] >> 1) & 0x07),
                LogicalBlocksPerPhysicalBlockExponent: (byte)(data[13] & 0x0F),
                ThinProvisioned: (w & 0x8000) != 0,
                ReadsZeroesWhenUnmapped: (w & 0x4000) != 0,
                LowestAlignedLba: (ushort)(w & 0x3FFF));
        }

        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static ReadCapacity16Data Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r : throw new ScsiDataFormatException(Format, e!);
}

using System.Buffers.Binary;

namespace HwFence.Scsi.Capacity;

/// <summary>
/// READ CAPACITY(10) parameter data (SBC-3 §5.15.2, table 63).
/// <code>
///  byte 0-3 RETURNED LOGICAL BLOCK ADDRESS (last LBA; FFFFFFFFh: too big, use READ CAPACITY(16))
///  byte 4-7 LOGICAL BLOCK LENGTH IN BYTES
/// </code>
/// </summary>
public readonly record struct ReadCapacity10Data(uint LastLba, uint BlockLength)
{
    public const int Length = 8;

    private const string Format = "READ CAPACITY(10) data";

    /// <summary>True when the capacity does not fit 32 bits and READ CAPACITY(16) must be asked.</summary>
    public bool NeedsReadCapacity16 => LastLba == uint.MaxValue;

    /// <summary>Number of logical blocks (last LBA + 1).</summary>
    public ulong BlockCount => (ulong)LastLba + 1;

    /// <summary>Writes the 8 bytes; a capacity above 2^32 blocks is reported as FFFFFFFFh (SBC-3 §5.15.2).</summary>
    public static int Write(Span<byte> destination, ulong blockCount, uint blockLength)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"{Format} needs {Length} bytes", nameof(destination));
        }

        ulong last = blockCount == 0 ? 0 : blockCount - 1;
        BinaryPrimitives.WriteUInt32BigEndian(destination, last >= uint.MaxValue ? uint.MaxValue : (uint)last);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], blockLength);
        return Length;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out ReadCapacity10Data result, out string? error)
    {
        result = default;
        if (data.Length < Length)
        {
            error = $"{Format} truncated at {data.Length} bytes: LOGICAL BLOCK LENGTH (bytes 4-7) needs {Length}";
            return false;
        }

        result = new ReadCapacity10Data(BinaryPrimitives.ReadUInt32BigEndian(data), BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static ReadCapacity10Data Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r : throw new ScsiDataFormatException(Format, e!);
}

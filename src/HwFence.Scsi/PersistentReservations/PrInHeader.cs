using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// The 8-byte header shared by READ KEYS, READ RESERVATION and READ FULL STATUS parameter data
/// (SPC-4 §6.13.2 table 168, §6.13.3 table 170, §6.13.5 table 173).
/// <code>
///  byte 0-3 PRGENERATION (big-endian; bumped by every successful PR OUT except RESERVE/RELEASE)
///  byte 4-7 ADDITIONAL LENGTH (n-7)
/// </code>
/// </summary>
/// <param name="Generation">PRGENERATION.</param>
/// <param name="AdditionalLength">ADDITIONAL LENGTH as the device declared it.</param>
/// <param name="Available">Bytes after the header actually held (≤ declared when the allocation length cut it).</param>
public readonly record struct PrInHeader(uint Generation, uint AdditionalLength, int Available)
{
    public const int Length = 8;

    /// <summary>True when the device had more to say than the allocation length let through: ask again with a bigger buffer.</summary>
    public bool Truncated => AdditionalLength > (uint)Available;

    /// <summary>Total bytes the device wanted to send (header + additional length).</summary>
    public long RequiredLength => Length + (long)AdditionalLength;

    public static bool TryParse(ReadOnlySpan<byte> data, string format, out PrInHeader header, out string? error)
    {
        header = default;
        if (data.Length < Length)
        {
            error = $"{format} truncated at {data.Length} bytes: the PRGENERATION/ADDITIONAL LENGTH header needs {Length}";
            return false;
        }

        uint additional = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int available = (int)Math.Min(additional, (uint)(data.Length - Length));
        header = new PrInHeader(BinaryPrimitives.ReadUInt32BigEndian(data), additional, available);
        error = null;
        return true;
    }

    public static void Write(Span<byte> destination, uint generation, uint additionalLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, generation);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], additionalLength);
    }
}

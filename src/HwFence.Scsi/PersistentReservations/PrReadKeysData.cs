using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// PERSISTENT RESERVE IN / READ KEYS parameter data (SPC-4 §6.13.2 table 168): the generation and
/// every registered key (one per registered I_T nexus, so a key may repeat).
/// <code>
///  byte 0-3  PRGENERATION
///  byte 4-7  ADDITIONAL LENGTH (n-7, a multiple of 8)
///  byte 8-15 first RESERVATION KEY … byte n-7..n last RESERVATION KEY
/// </code>
/// </summary>
/// <param name="Generation">PRGENERATION.</param>
/// <param name="Keys">The keys held in the buffer.</param>
/// <param name="Truncated">The device listed more keys than the allocation length let through.</param>
public sealed record PrReadKeysData(uint Generation, IReadOnlyList<ulong> Keys, bool Truncated = false)
{
    private const string Format = "READ KEYS parameter data";

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="keyCount"/> keys.</summary>
    public static int LengthFor(int keyCount) => PrInHeader.Length + 8 * keyCount;

    /// <summary>
    /// Writes READ KEYS data (target side). ADDITIONAL LENGTH always states every key; only the keys
    /// that fit in <paramref name="destination"/> are written (SPC-4 §4.2.5.6: truncate to the
    /// allocation length). Returns the bytes written.
    /// </summary>
    public static int Write(Span<byte> destination, uint generation, ReadOnlySpan<ulong> keys)
    {
        if (destination.Length < PrInHeader.Length)
        {
            throw new ArgumentException($"{Format} needs at least {PrInHeader.Length} bytes", nameof(destination));
        }

        PrInHeader.Write(destination, generation, (uint)(8 * keys.Length));
        int written = PrInHeader.Length;
        foreach (ulong key in keys)
        {
            if (written + 8 > destination.Length)
            {
                break;
            }

            BinaryPrimitives.WriteUInt64BigEndian(destination[written..], key);
            written += 8;
        }

        return written;
    }

    /// <summary>
    /// Non-throwing parse of the bytes the device transferred. A list cut short by the allocation
    /// length parses with <see cref="Truncated"/> set; an ADDITIONAL LENGTH that is not a multiple of
    /// 8 is an error.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out PrReadKeysData? result, out string? error)
    {
        result = null;
        if (!PrInHeader.TryParse(data, Format, out var header, out error))
        {
            return false;
        }

        if (header.AdditionalLength % 8 != 0)
        {
            error = $"{Format} ADDITIONAL LENGTH {header.AdditionalLength} is not a multiple of 8 (one 8-byte key each)";
            return false;
        }

        int count = header.Available / 8;
        var keys = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = BinaryPrimitives.ReadUInt64BigEndian(data.Slice(PrInHeader.Length + 8 * i, 8));
        }

        result = new PrReadKeysData(header.Generation, keys, header.Truncated);
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static PrReadKeysData Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);

    /// <summary>True when <paramref name="key"/> is registered.</summary>
    public bool Contains(ulong key)
    {
        foreach (ulong k in Keys)
        {
            if (k == key)
            {
                return true;
            }
        }

        return false;
    }
}

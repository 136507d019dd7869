using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// PERSISTENT RESERVE IN / READ RESERVATION parameter data (SPC-4 §6.13.3, tables 169/170).
/// <code>
///  byte 0-3   PRGENERATION
///  byte 4-7   ADDITIONAL LENGTH (0: no reservation, 10h: one reservation follows)
///  byte 8-15  RESERVATION KEY
///  byte 16-19 obsolete
///  byte 20    reserved
///  byte 21    SCOPE (7-4) | TYPE (3-0)
///  byte 22-23 obsolete
/// </code>
/// </summary>
/// <param name="Generation">PRGENERATION.</param>
/// <param name="Reservation">The reservation, or null when none is held.</param>
public readonly record struct PrReadReservationData(uint Generation, PrReservation? Reservation)
{
    /// <summary>Length with a reservation (header + 16).</summary>
    public const int LengthWithReservation = 24;

    private const string Format = "READ RESERVATION parameter data";

    /// <summary>Writes READ RESERVATION data (target side), cut to <paramref name="destination"/>; returns bytes written.</summary>
    public static int Write(Span<byte> destination, uint generation, PrReservation? reservation)
    {
        Span<byte> full = stackalloc byte[LengthWithReservation];
        full.Clear();
        int length = PrInHeader.Length;
        PrInHeader.Write(full, generation, reservation is null ? 0u : 16u);
        if (reservation is { } r)
        {
            BinaryPrimitives.WriteUInt64BigEndian(full[8..], r.Key);
            full[21] = (byte)((r.Scope << 4) | ((byte)r.Type & 0x0F));
            length = LengthWithReservation;
        }

        return AllocationLength.CopyTruncated(full[..length], destination);
    }

    /// <summary>
    /// Non-throwing parse. ADDITIONAL LENGTH must be 0 or 16 (SPC-4 allows only one LU_SCOPE
    /// reservation); a declared reservation that was not transferred is an error.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out PrReadReservationData result, out string? error)
    {
        result = default;
        if (!PrInHeader.TryParse(data, Format, out var header, out error))
        {
            return false;
        }

        if (header.AdditionalLength == 0)
        {
            result = new PrReadReservationData(header.Generation, null);
            return true;
        }

        if (header.AdditionalLength != 16)
        {
            error = $"{Format} ADDITIONAL LENGTH is {header.AdditionalLength}; SPC-4 §6.13.3 allows 0 (no reservation) or 16";
            return false;
        }

        if (header.Available < 16)
        {
            error = $"{Format} truncated at {data.Length} bytes: the reservation descriptor (bytes 8-23) needs {LengthWithReservation}";
            return false;
        }

        var reservation = new PrReservation(
            BinaryPrimitives.ReadUInt64BigEndian(data[8..]),
            (PersistentReservationType)(data[21] & 0x0F),
            (byte)(data[21] >> 4));
        result = new PrReadReservationData(header.Generation, reservation);
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static PrReadReservationData Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r : throw new ScsiDataFormatException(Format, e!);
}

using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// PERSISTENT RESERVE OUT parameter list for every service action except REGISTER AND MOVE
/// (SPC-4 §6.14.3, table 174). Built by the initiator, parsed by the target (the emulator).
/// <code>
///  byte 0-7   RESERVATION KEY (the key this I_T nexus is registered with; 0 when not registered)
///  byte 8-15  SERVICE ACTION RESERVATION KEY (new key for REGISTER; key to preempt for PREEMPT)
///  byte 16-19 obsolete (scope-specific address)
///  byte 20    reserved (7-4) | SPEC_I_PT (3) | ALL_TG_PT (2) | reserved (1) | APTPL (0)
///  byte 21    reserved
///  byte 22-23 obsolete
///  -- only when SPEC_I_PT is set (REGISTER):
///  byte 24-27 TRANSPORTID PARAMETER DATA LENGTH (n-27)
///  byte 28-n  TransportIDs
/// </code>
/// </summary>
/// <param name="ReservationKey">RESERVATION KEY field.</param>
/// <param name="ServiceActionReservationKey">SERVICE ACTION RESERVATION KEY field.</param>
/// <param name="Flags">SPEC_I_PT / ALL_TG_PT / APTPL.</param>
/// <param name="TransportIds">Concatenated TransportIDs (SPEC_I_PT only); empty otherwise.</param>
public readonly record struct PrOutParameterList(
    ulong ReservationKey,
    ulong ServiceActionReservationKey,
    PrOutFlags Flags,
    ReadOnlyMemory<byte> TransportIds = default)
{
    /// <summary>Length of the list without TransportIDs: what PARAMETER LIST LENGTH carries almost always.</summary>
    public const int BasicLength = 24;

    private const string Format = "PERSISTENT RESERVE OUT parameter list";

    /// <summary>Bytes <see cref="Write"/> produces.</summary>
    public int Length => (Flags & PrOutFlags.SpecIPt) != 0 ? BasicLength + 4 + TransportIds.Length : BasicLength;

    /// <summary>Writes the list; returns its length (also the CDB's PARAMETER LIST LENGTH).</summary>
    public int Write(Span<byte> destination)
    {
        int length = Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"{Format} needs {length} bytes, buffer holds {destination.Length}", nameof(destination));
        }

        if ((Flags & PrOutFlags.SpecIPt) == 0 && !TransportIds.IsEmpty)
        {
            throw new ArgumentException("TransportIDs are only sent with SPEC_I_PT set (SPC-4 §6.14.3)", nameof(TransportIds));
        }

        var d = destination[..length];
        d.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(d, ReservationKey);
        BinaryPrimitives.WriteUInt64BigEndian(d[8..], ServiceActionReservationKey);
        d[20] = (byte)(Flags & (PrOutFlags.SpecIPt | PrOutFlags.AllTgPt | PrOutFlags.Aptpl));
        if ((Flags & PrOutFlags.SpecIPt) != 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(d[24..], (uint)TransportIds.Length);
            TransportIds.Span.CopyTo(d[28..]);
        }

        return length;
    }

    /// <summary>
    /// Parses a received list (target side). The TransportIDs are returned as a copy so the result
    /// does not alias the caller's receive buffer. Errors name the field (and are what the target
    /// reports as PARAMETER LIST LENGTH ERROR / INVALID FIELD IN PARAMETER LIST).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out PrOutParameterList result, out string? error)
    {
        result = default;
        if (data.Length < BasicLength)
        {
            error = $"{Format} is {data.Length} bytes; SPC-4 §6.14.3 requires at least {BasicLength}";
            return false;
        }

        ulong key = BinaryPrimitives.ReadUInt64BigEndian(data);
        ulong sark = BinaryPrimitives.ReadUInt64BigEndian(data[8..]);
        var flags = (PrOutFlags)(data[20] & 0x0D);
        ReadOnlyMemory<byte> tids = default;
        if ((flags & PrOutFlags.SpecIPt) != 0)
        {
            if (data.Length < BasicLength + 4)
            {
                error = $"{Format} sets SPEC_I_PT but is {data.Length} bytes: TRANSPORTID PARAMETER DATA LENGTH (bytes 24-27) missing";
                return false;
            }

            uint tidLength = BinaryPrimitives.ReadUInt32BigEndian(data[24..]);
            if (tidLength > (uint)(data.Length - 28))
            {
                error = $"{Format} TRANSPORTID PARAMETER DATA LENGTH is {tidLength} but only {data.Length - 28} bytes follow";
                return false;
            }

            tids = data.Slice(28, (int)tidLength).ToArray();
        }

        result = new PrOutParameterList(key, sark, flags, tids);
        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static PrOutParameterList Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r : throw new ScsiDataFormatException(Format, e!);
}

using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// PERSISTENT RESERVE IN / READ FULL STATUS parameter data (SPC-4 §6.13.5, tables 173/174).
/// Not implemented by tgtd 1.0.85 (it answers ILLEGAL REQUEST / INVALID FIELD IN CDB).
/// <code>
///  byte 0-3   PRGENERATION
///  byte 4-7   ADDITIONAL LENGTH (n-7)
///  then full status descriptors:
///  byte 0-7   RESERVATION KEY
///  byte 8-11  reserved
///  byte 12    reserved (7-2) | ALL_TG_PT (1) | R_HOLDER (0)
///  byte 13    SCOPE (7-4) | TYPE (3-0)           (valid when R_HOLDER)
///  byte 14-17 reserved
///  byte 18-19 RELATIVE TARGET PORT IDENTIFIER
///  byte 20-23 ADDITIONAL DESCRIPTOR LENGTH (n-23)
///  byte 24-n  TransportID
/// </code>
/// </summary>
public sealed record PrFullStatusData(uint Generation, IReadOnlyList<PrFullStatusDescriptor> Registrations, bool Truncated = false)
{
    private const string Format = "READ FULL STATUS parameter data";
    private const int DescriptorHeader = 24;

    /// <summary>Writes READ FULL STATUS data (target side); stops at the end of <paramref name="destination"/> while
    /// still declaring the full length. Returns bytes written.</summary>
    public static int Write(Span<byte> destination, uint generation, IReadOnlyList<PrFullStatusDescriptor> registrations)
    {
        uint additional = 0;
        foreach (var r in registrations)
        {
            additional += (uint)(DescriptorHeader + r.TransportId.Raw.Length);
        }

        Span<byte> header = stackalloc byte[PrInHeader.Length];
        PrInHeader.Write(header, generation, additional);
        int written = CopyCut(header, destination, 0);
        Span<byte> d = stackalloc byte[DescriptorHeader];
        foreach (var r in registrations)
        {
            d.Clear();
            BinaryPrimitives.WriteUInt64BigEndian(d, r.Key);
            d[12] = (byte)((r.AllTargetPorts ? 0x02 : 0) | (r.ReservationHolder ? 0x01 : 0));
            d[13] = r.ReservationHolder ? (byte)((r.Scope << 4) | ((byte)r.Type & 0x0F)) : (byte)0;
            BinaryPrimitives.WriteUInt16BigEndian(d[18..], r.RelativeTargetPortId);
            BinaryPrimitives.WriteUInt32BigEndian(d[20..], (uint)r.TransportId.Raw.Length);
            written = CopyCut(d, destination, written);
            written = CopyCut(r.TransportId.Raw, destination, written);
        }

        return written;
    }

    private static int CopyCut(ReadOnlySpan<byte> source, Span<byte> destination, int at) =>
        at + AllocationLength.CopyTruncated(source, destination[Math.Min(at, destination.Length)..]);

    public static bool TryParse(ReadOnlySpan<byte> data, out PrFullStatusData? result, out string? error)
    {
        result = null;
        if (!PrInHeader.TryParse(data, Format, out var header, out error))
        {
            return false;
        }

        var body = data.Slice(PrInHeader.Length, header.Available);
        var list = new List<PrFullStatusDescriptor>();
        int offset = 0;
        bool truncated = header.Truncated;
        while (offset < body.Length)
        {
            var rest = body[offset..];
            if (rest.Length < DescriptorHeader)
            {
                truncated = true; // a descriptor cut by the allocation length: report what fit
                break;
            }

            uint tidLength = BinaryPrimitives.ReadUInt32BigEndian(rest[20..]);
            if (tidLength > (uint)(rest.Length - DescriptorHeader))
            {
                if (header.Truncated)
                {
                    truncated = true;
                    break;
                }

                error = $"{Format} descriptor at byte {PrInHeader.Length + offset}: ADDITIONAL DESCRIPTOR LENGTH {tidLength} exceeds the {rest.Length - DescriptorHeader} bytes left";
                return false;
            }

            if (!TransportId.TryParse(rest.Slice(DescriptorHeader, (int)tidLength), out var tid, out _, out var tidError))
            {
                error = $"{Format} descriptor at byte {PrInHeader.Length + offset}: {tidError}";
                return false;
            }

            list.Add(new PrFullStatusDescriptor(
                Key: BinaryPrimitives.ReadUInt64BigEndian(rest),
                AllTargetPorts: (rest[12] & 0x02) != 0,
                ReservationHolder: (rest[12] & 0x01) != 0,
                Scope: (byte)(rest[13] >> 4),
                Type: (PersistentReservationType)(rest[13] & 0x0F),
                RelativeTargetPortId: BinaryPrimitives.ReadUInt16BigEndian(rest[18..]),
                TransportId: tid!));
            offset += DescriptorHeader + (int)tidLength;
        }

        result = new PrFullStatusData(header.Generation, list, truncated);
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static PrFullStatusData Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);
}

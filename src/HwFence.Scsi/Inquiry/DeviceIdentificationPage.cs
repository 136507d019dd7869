namespace HwFence.Scsi.Inquiry;

/// <summary>
/// Device Identification page, 83h (SPC-4 §7.8.6).
/// <code>
///  byte 0-3 header (PAGE CODE 83h)
///  byte 4-n designation descriptors (see <see cref="Designator"/>)
/// </code>
/// </summary>
public sealed record DeviceIdentificationPage(IReadOnlyList<Designator> Designators)
{
    private const string Format = "Device Identification (83h) page";

    /// <summary>
    /// The designator that names the logical unit best, in the order Linux udev prefers:
    /// NAA, then EUI-64, then T10 vendor ID, then SCSI name string. Null when none names the LU.
    /// </summary>
    public Designator? LogicalUnitId
    {
        get
        {
            foreach (var type in (ReadOnlySpan<DesignatorType>)[DesignatorType.Naa, DesignatorType.Eui64, DesignatorType.T10VendorId, DesignatorType.ScsiNameString])
            {
                foreach (var d in Designators)
                {
                    if (d.Type == type && d.Association == DesignatorAssociation.LogicalUnit)
                    {
                        return d;
                    }
                }
            }

            return null;
        }
    }

    public int Write(Span<byte> destination)
    {
        int body = 0;
        foreach (var d in Designators)
        {
            body += d.Length;
        }

        var full = new byte[VpdPageHeader.Length + body];
        VpdPageHeader.Write(full, VpdPageHeader.DeviceIdentification, body);
        int at = VpdPageHeader.Length;
        foreach (var d in Designators)
        {
            at += d.Write(full.AsSpan(at));
        }

        return AllocationLength.CopyTruncated(full, destination);
    }

    /// <summary>Parses the page; a descriptor cut by the allocation length ends the list, a malformed one is an error naming its offset.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out DeviceIdentificationPage? result, out string? error)
    {
        result = null;
        if (!VpdPageHeader.TryParse(data, VpdPageHeader.DeviceIdentification, Format, out var h, out error))
        {
            return false;
        }

        var body = data.Slice(VpdPageHeader.Length, h.Available);
        var list = new List<Designator>();
        int offset = 0;
        while (offset < body.Length)
        {
            var rest = body[offset..];
            if (h.Truncated && (rest.Length < Designator.HeaderLength || Designator.HeaderLength + rest[3] > rest.Length))
            {
                break; // cut short by the allocation length: keep what arrived whole
            }

            if (!Designator.TryParse(rest, out var d, out var e))
            {
                error = $"{Format} descriptor at byte {VpdPageHeader.Length + offset}: {e}";
                return false;
            }

            list.Add(d!);
            offset += d!.Length;
        }

        result = new DeviceIdentificationPage(list);
        return true;
    }

    public static DeviceIdentificationPage Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);
}

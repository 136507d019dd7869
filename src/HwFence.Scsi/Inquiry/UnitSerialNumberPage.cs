namespace HwFence.Scsi.Inquiry;

/// <summary>
/// Unit Serial Number page, 80h (SPC-4 §7.8.15).
/// <code>
///  byte 0-3 header (PAGE CODE 80h)
///  byte 4-n PRODUCT SERIAL NUMBER (ASCII, right-aligned, space padded)
/// </code>
/// </summary>
public sealed record UnitSerialNumberPage(string SerialNumber)
{
    private const string Format = "Unit Serial Number (80h) page";

    public int Write(Span<byte> destination)
    {
        int length = VpdPageHeader.Length + SerialNumber.Length;
        Span<byte> d = stackalloc byte[length];
        VpdPageHeader.Write(d, VpdPageHeader.UnitSerialNumber, SerialNumber.Length);
        StandardInquiryData.WriteAscii(d[VpdPageHeader.Length..], SerialNumber);
        return AllocationLength.CopyTruncated(d[..length], destination);
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out UnitSerialNumberPage? result, out string? error)
    {
        result = null;
        if (!VpdPageHeader.TryParse(data, VpdPageHeader.UnitSerialNumber, Format, out var h, out error))
        {
            return false;
        }

        result = new UnitSerialNumberPage(StandardInquiryData.ReadAscii(data.Slice(VpdPageHeader.Length, h.Available)));
        return true;
    }

    public static UnitSerialNumberPage Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);
}

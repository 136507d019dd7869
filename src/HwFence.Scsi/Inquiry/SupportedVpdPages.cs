namespace HwFence.Scsi.Inquiry;

/// <summary>
/// Supported VPD Pages page, 00h (SPC-4 §7.8.14): the page codes the device answers, ascending.
/// <code>
///  byte 0-3 header (PAGE CODE 00h)
///  byte 4-n SUPPORTED VPD PAGE LIST (one page code per byte)
/// </code>
/// </summary>
public sealed record SupportedVpdPages(IReadOnlyList<byte> Pages)
{
    private const string Format = "Supported VPD Pages (00h) page";

    public int Write(Span<byte> destination)
    {
        int length = VpdPageHeader.Length + Pages.Count;
        Span<byte> d = stackalloc byte[length];
        VpdPageHeader.Write(d, VpdPageHeader.SupportedPages, Pages.Count);
        for (int i = 0; i < Pages.Count; i++)
        {
            d[VpdPageHeader.Length + i] = Pages[i];
        }

        return AllocationLength.CopyTruncated(d[..length], destination);
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out SupportedVpdPages? result, out string? error)
    {
        result = null;
        if (!VpdPageHeader.TryParse(data, VpdPageHeader.SupportedPages, Format, out var h, out error))
        {
            return false;
        }

        result = new SupportedVpdPages(data.Slice(VpdPageHeader.Length, h.Available).ToArray());
        return true;
    }

    public static SupportedVpdPages Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);
}

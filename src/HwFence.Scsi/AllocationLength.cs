namespace HwFence.Scsi;

/// <summary>
/// SPC-4 §4.2.5.6: a device returns at most ALLOCATION LENGTH bytes of a response and stops there,
/// without changing the length fields inside it. Target-side writers build the whole response and
/// cut it to the caller's buffer with <see cref="CopyTruncated"/>.
/// </summary>
internal static class AllocationLength
{
    /// <summary>Copies as much of <paramref name="full"/> as fits into <paramref name="destination"/>; returns the bytes copied.</summary>
    public static int CopyTruncated(ReadOnlySpan<byte> full, Span<byte> destination)
    {
        int n = Math.Min(full.Length, destination.Length);
        full[..n].CopyTo(destination);
        return n;
    }
}

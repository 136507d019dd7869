namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Encodes whole PDUs (RFC 7143 §11.2): BHS, AHS, header digest, data segment, zero padding to a
/// multiple of 4, data digest. Writes into a caller-owned span (a pooled send buffer), never allocates.
/// </summary>
public static class IscsiPduWriter
{
    /// <summary>Bytes a PDU takes on the wire.</summary>
    public static int GetLength(int totalAhsLength, int dataSegmentLength, bool headerDigest, bool dataDigest) =>
        BasicHeaderSegment.Length + totalAhsLength + (headerDigest ? IscsiDigest.Length : 0)
        + dataSegmentLength + BasicHeaderSegment.Padding(dataSegmentLength)
        + (dataDigest && dataSegmentLength > 0 ? IscsiDigest.Length : 0);

    /// <summary>Writes a PDU with header <paramref name="header"/>; returns the bytes written.</summary>
    public static int Write<THeader>(
        Span<byte> destination, in THeader header, ReadOnlySpan<byte> data, bool headerDigest, bool dataDigest,
        ReadOnlySpan<byte> ahs = default)
        where THeader : struct, IIscsiHeader<THeader>
    {
        header.Write(destination);
        return Complete(destination, ahs, data, headerDigest, dataDigest);
    }

    /// <summary>
    /// Completes a PDU whose 48-byte BHS is already in <paramref name="destination"/>: sets the lengths,
    /// appends AHS, digests, data and padding. Returns the bytes written.
    /// </summary>
    public static int Complete(Span<byte> destination, ReadOnlySpan<byte> ahs, ReadOnlySpan<byte> data, bool headerDigest, bool dataDigest)
    {
        int total = GetLength(ahs.Length, data.Length, headerDigest, dataDigest);
        if (destination.Length < total)
        {
            throw new ArgumentException($"PDU needs {total} bytes, destination has {destination.Length}", nameof(destination));
        }

        BasicHeaderSegment.SetLengths(destination, ahs.Length, data.Length);
        int offset = BasicHeaderSegment.Length;
        ahs.CopyTo(destination[offset..]);
        offset += ahs.Length;
        if (headerDigest)
        {
            IscsiDigest.Write(destination[offset..], HwFence.Hal.Checksums.Crc32C.Compute(destination[..offset]));
            offset += IscsiDigest.Length;
        }

        if (data.Length > 0)
        {
            data.CopyTo(destination[offset..]);
            int pad = BasicHeaderSegment.Padding(data.Length);
            destination.Slice(offset + data.Length, pad).Clear();
            if (dataDigest)
            {
                IscsiDigest.Write(destination[(offset + data.Length + pad)..], IscsiDigest.ComputeData(data));
            }
        }

        return total;
    }
}

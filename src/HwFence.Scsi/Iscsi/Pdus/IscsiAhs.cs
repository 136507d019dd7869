using System.Buffers;
using System.Buffers.Binary;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>AHS types (RFC 7143 §11.2.2.2).</summary>
public enum AhsType : byte
{
    ExtendedCdb = 1,
    BidirectionalReadExpectedDataTransferLength = 2,
}

/// <summary>
/// Additional Header Segments (RFC 7143 §11.2.2):
/// <code>
///  0| AHSLength                     | AHSType       | AHS-Specific  |
///  4/ AHS-Specific (AHSLength - 1 more bytes), padded to 4          /
/// </code>
/// The Extended CDB AHS (§11.2.2.3) carries CDB bytes 16.. of a CDB longer than 16 bytes; its
/// AHSLength is (CDB length − 15): the reserved byte plus the extra CDB bytes.
/// </summary>
public static class IscsiAhs
{
    /// <summary>Bytes the AHS needs for a CDB of <paramref name="cdbLength"/> bytes (0 for CDBs up to 16 bytes).</summary>
    public static int ExtendedCdbLength(int cdbLength) =>
        cdbLength <= 16 ? 0 : Align4(3 + (cdbLength - 15));

    /// <summary>Writes the Extended CDB AHS for <paramref name="cdb"/> (longer than 16 bytes); returns its length.</summary>
    public static int WriteExtendedCdb(Span<byte> destination, ReadOnlySpan<byte> cdb)
    {
        if (cdb.Length <= 16)
        {
            return 0;
        }

        int total = ExtendedCdbLength(cdb.Length);
        destination[..total].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(cdb.Length - 15));
        destination[2] = (byte)AhsType.ExtendedCdb;
        cdb[16..].CopyTo(destination[4..]);
        return total;
    }

    /// <summary>
    /// Checks that <paramref name="ahs"/> is a well-formed sequence of AHS entries filling it exactly;
    /// returns null, or the error naming the field.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> ahs)
    {
        int offset = 0;
        while (offset < ahs.Length)
        {
            if (ahs.Length - offset < 4)
            {
                return $"AHS at offset {offset}: {ahs.Length - offset} bytes left, an AHS needs at least 4";
            }

            int len = BinaryPrimitives.ReadUInt16BigEndian(ahs[offset..]);
            int size = Align4(3 + len);
            if (len == 0 || size > ahs.Length - offset)
            {
                return $"AHS at offset {offset}: AHSLength {len} does not fit TotalAHSLength {ahs.Length}";
            }

            offset += size;
        }

        return null;
    }

    /// <summary>
    /// Rebuilds a full CDB from the BHS's 16 bytes and an Extended CDB AHS (if any) in <paramref name="ahs"/>.
    /// Returns the CDB length, or -1 if <paramref name="destination"/> is too small or the AHS is malformed.
    /// </summary>
    public static int GetCdb(ReadOnlySpan<byte> bhsCdb16, in ReadOnlySequence<byte> ahs, Span<byte> destination)
    {
        if (destination.Length < 16)
        {
            return -1;
        }

        bhsCdb16[..16].CopyTo(destination);
        if (ahs.IsEmpty)
        {
            return 16;
        }

        Span<byte> a = stackalloc byte[1020];
        int n = (int)Math.Min(ahs.Length, a.Length);
        ahs.Slice(0, n).CopyTo(a);
        a = a[..n];
        int offset = 0;
        while (a.Length - offset >= 4)
        {
            int len = BinaryPrimitives.ReadUInt16BigEndian(a[offset..]);
            int size = Align4(3 + len);
            if (len == 0 || size > a.Length - offset)
            {
                return -1;
            }

            if (a[offset + 2] == (byte)AhsType.ExtendedCdb)
            {
                int extra = len - 1;
                if (16 + extra > destination.Length)
                {
                    return -1;
                }

                a.Slice(offset + 4, extra).CopyTo(destination[16..]);
                return 16 + extra;
            }

            offset += size;
        }

        return 16;
    }

    private static int Align4(int n) => (n + 3) & ~3;
}

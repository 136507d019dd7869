using System.Buffers;
using System.Buffers.Binary;
using HwFence.Hal.Checksums;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Header and data digests (RFC 7143 §13.1, §11.2.3): CRC32C over BHS+AHS, and over the data segment
/// including its padding. The 4-byte digest is sent least-significant byte first — the byte order of
/// the CRC register that Linux (open-iscsi, LIO), tgtd and libiscsi all put on the wire.
/// </summary>
public static class IscsiDigest
{
    /// <summary>Length of a digest on the wire.</summary>
    public const int Length = 4;

    private static ReadOnlySpan<byte> Zeros => [0, 0, 0];

    /// <summary>CRC32C of <paramref name="data"/> followed by its padding to a multiple of 4.</summary>
    public static uint ComputeData(ReadOnlySpan<byte> data) =>
        ~Crc32C.Append(Crc32C.Append(0xFFFFFFFFu, data), Zeros[..BasicHeaderSegment.Padding(data.Length)]);

    /// <summary>CRC32C of a (possibly multi-segment) byte sequence, as it is (no padding added).</summary>
    public static uint Compute(in ReadOnlySequence<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        if (bytes.IsSingleSegment)
        {
            return ~Crc32C.Append(crc, bytes.FirstSpan);
        }

        foreach (ReadOnlyMemory<byte> segment in bytes)
        {
            crc = Crc32C.Append(crc, segment.Span);
        }

        return ~crc;
    }

    /// <summary>Writes <paramref name="digest"/> in wire order.</summary>
    public static void Write(Span<byte> destination, uint digest) => BinaryPrimitives.WriteUInt32LittleEndian(destination, digest);

    /// <summary>Reads a digest in wire order.</summary>
    public static uint Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt32LittleEndian(source);
}

using System.Buffers.Binary;
using System.Numerics;

namespace HwFence.Hal.Checksums;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI header and data
/// digests (RFC 7143 §13.1, Appendix B.4) and HwFence's serial framing. Uses the CPU's CRC32
/// instruction where present (BitOperations.Crc32C), a table otherwise; never allocates.
/// </summary>
public static class Crc32C
{
    /// <summary>CRC-32C of <paramref name="data"/> (initial value all ones, final complement).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a running (non-complemented) CRC; start with 0xFFFFFFFF, complement at the end.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}

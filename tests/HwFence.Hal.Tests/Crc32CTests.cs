using System.Text;
using HwFence.Hal.Checksums;

namespace HwFence.Hal.Tests;

public class Crc32CTests
{
    [Fact]
    public void CheckValueOf123456789() =>
        // The standard CRC-32C check value (RFC 3720 Appendix B.4 test vectors use the same CRC).
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Rfc3720ThirtyTwoZeroBytes() =>
        // RFC 3720 B.4: 32 bytes of zeroes → CRC aa 36 91 8a (little-endian on the wire) = 0x8A9136AA.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void AppendInPiecesEqualsWhole()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        uint running = 0xFFFFFFFF;
        running = Crc32C.Append(running, data.AsSpan(0, 13));
        running = Crc32C.Append(running, data.AsSpan(13));
        Assert.Equal(Crc32C.Compute(data), ~running);
    }
}

using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>CRC32C digests against RFC 3720 Appendix B.4 vectors, and CHAP (RFC 1994) responses.</summary>
public sealed class IscsiDigestAndChapTests
{
    [Theory]
    [InlineData("zeros", "AA36918A")]
    [InlineData("ones", "43ABA862")]
    [InlineData("incrementing", "4E79DD46")]
    [InlineData("decrementing", "5CDB3F11")]
    public void Crc32C_vectors_of_RFC_3720_B4_in_wire_byte_order(string pattern, string wireHex)
    {
        byte[] data = pattern switch
        {
            "zeros" => new byte[32],
            "ones" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
            "incrementing" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
            _ => Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(),
        };
        byte[] wire = new byte[4];
        IscsiDigest.Write(wire, IscsiDigest.ComputeData(data));
        Assert.Equal(wireHex, Convert.ToHexString(wire));
    }

    [Fact]
    public void Header_digest_of_the_RFC_3720_B4_read_command()
    {
        byte[] bhs = Convert.FromHexString(
            "01C00000000000000000000000000000" + "14000000000004000000001400000018" + "28000000000000000200000000000000"); // READ(10) of 2 blocks
        var h = ScsiCommandHeader.Read(bhs);
        Assert.True(h.Final);
        Assert.True(h.DataIn);
        Assert.Equal(0x1400_0000u, h.InitiatorTaskTag); // the RFC example writes its ITT 0x14 little-endian
        Assert.Equal(1024u, h.ExpectedDataTransferLength);
        byte[] wire = new byte[4];
        IscsiDigest.Write(wire, HwFence.Hal.Checksums.Crc32C.Compute(bhs));
        Assert.Equal("563A96D9", Convert.ToHexString(wire));
    }

    [Fact]
    public void Data_digest_covers_the_padding()
    {
        byte[] three = [1, 2, 3];
        Assert.Equal(IscsiDigest.ComputeData([1, 2, 3, 0]), IscsiDigest.ComputeData(three));
    }

    [Fact]
    public void Chap_response_is_md5_of_identifier_secret_challenge()
    {
        byte[] challenge = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        byte[] r = IscsiChap.ComputeResponse(0x2A, "secret-of-node-1"u8, challenge);
        Assert.Equal("18c4daab3a7cd91be9e69fb1682ec76c", Convert.ToHexStringLower(r));
        Assert.Equal("717a09a1d0e100d9a7cd9663b2c2f462", Convert.ToHexStringLower(IscsiChap.ComputeResponse(0, "abc"u8, [0x00, 0x11, 0x22, 0x33])));
        Assert.True(IscsiChap.Verify(0x2A, "secret-of-node-1"u8, challenge, r));
        Assert.False(IscsiChap.Verify(0x2B, "secret-of-node-1"u8, challenge, r));
    }

    [Theory]
    [InlineData("0x00112233", "00112233")]
    [InlineData("0X0a0B", "0A0B")]
    [InlineData("0x123", "0123")]
    [InlineData("0bAAECAw==", "00010203")]
    public void Binary_values_decode_hex_and_base64(string text, string hex)
    {
        Assert.True(IscsiChap.TryDecodeBinary(text, out byte[] value, out string? error), error);
        Assert.Equal(hex, Convert.ToHexString(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("0x")]
    [InlineData("0xZZ")]
    [InlineData("0b***")]
    [InlineData("0q1234")]
    public void Bad_binary_values_are_refused_with_a_reason(string text)
    {
        Assert.False(IscsiChap.TryDecodeBinary(text, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Challenges_are_fresh_and_encode_as_hex()
    {
        var (_, a) = IscsiChap.CreateChallenge();
        var (_, b) = IscsiChap.CreateChallenge();
        Assert.Equal(16, a.Length);
        Assert.NotEqual(a, b);
        Assert.StartsWith("0x", IscsiChap.EncodeBinary(a), StringComparison.Ordinal);
        Assert.True(IscsiChap.TryDecodeBinary(IscsiChap.EncodeBinary(a), out byte[] back, out _));
        Assert.Equal(a, back);
    }
}

using System.Security.Cryptography;

namespace HwFence.Scsi.Iscsi.Login;

/// <summary>
/// CHAP for iSCSI login (RFC 7143 §12.1.3, RFC 1994 §4.1) with MD5 (CHAP_A=5), usable by both sides:
/// the initiator answers a target's CHAP_I/CHAP_C with CHAP_N/CHAP_R; a target (or a mutual-CHAP
/// initiator) creates a challenge and verifies the response.
/// Response = MD5(Identifier ‖ secret ‖ Challenge). Binary values use 0x-hex or 0b-base64 (§6.1).
/// </summary>
public static class IscsiChap
{
    /// <summary>CHAP_A value for MD5 (RFC 1994 / IANA PPP authentication algorithms).</summary>
    public const int AlgorithmMd5 = 5;

    /// <summary>Challenge length we generate: 16 bytes, the MD5 output size (RFC 1994 recommends ≥ 16).</summary>
    public const int DefaultChallengeLength = 16;

    /// <summary>CHAP response: MD5(identifier ‖ secret ‖ challenge).</summary>
    public static byte[] ComputeResponse(byte identifier, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge)
    {
        byte[] input = new byte[1 + secret.Length + challenge.Length];
        input[0] = identifier;
        secret.CopyTo(input.AsSpan(1));
        challenge.CopyTo(input.AsSpan(1 + secret.Length));
        return MD5.HashData(input);
    }

    /// <summary>A fresh random identifier and challenge (a target's CHAP_I / CHAP_C).</summary>
    public static (byte Identifier, byte[] Challenge) CreateChallenge(int length = DefaultChallengeLength)
    {
        byte[] challenge = RandomNumberGenerator.GetBytes(length);
        return ((byte)RandomNumberGenerator.GetInt32(256), challenge);
    }

    /// <summary>Checks a peer's response in constant time.</summary>
    public static bool Verify(byte identifier, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> response) =>
        CryptographicOperations.FixedTimeEquals(ComputeResponse(identifier, secret, challenge), response);

    /// <summary>Encodes a binary value as 0x-prefixed lowercase hex (RFC 7143 §6.1, binary-value).</summary>
    public static string EncodeBinary(ReadOnlySpan<byte> value) => "0x" + Convert.ToHexStringLower(value);

    /// <summary>Decodes a 0x-hex or 0b-base64 binary value; false with the reason if it is neither.</summary>
    public static bool TryDecodeBinary(string text, out byte[] value, out string? error)
    {
        value = [];
        error = null;
        if (text.Length < 3 || text[0] != '0')
        {
            error = $"\"{Shorten(text)}\" is not a 0x-hex or 0b-base64 binary value";
            return false;
        }

        string body = text[2..];
        try
        {
            switch (text[1])
            {
                case 'x' or 'X':
                    value = Convert.FromHexString(body.Length % 2 == 1 ? "0" + body : body);
                    return true;
                case 'b' or 'B':
                    value = Convert.FromBase64String(body);
                    return true;
                default:
                    error = $"\"{Shorten(text)}\" is not a 0x-hex or 0b-base64 binary value";
                    return false;
            }
        }
        catch (FormatException)
        {
            error = $"\"{Shorten(text)}\" has invalid {(text[1] is 'x' or 'X' ? "hex" : "base64")} digits";
            return false;
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

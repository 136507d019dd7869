using System.Text;

namespace HwFence.Scsi.Iscsi.Login;

/// <summary>
/// The text format of Login and Text PDUs (RFC 7143 §6.1): <c>key=value</c> pairs, each ended by a NUL
/// byte, UTF-8. Order is kept and keys may repeat (SendTargets lists TargetName/TargetAddress many
/// times). Not on the I/O path: strings are fine here.
/// </summary>
public static class IscsiTextParameters
{
    /// <summary>
    /// Parses <paramref name="text"/> into <paramref name="pairs"/>. Returns false with an error naming the
    /// offending pair when a key is empty, too long or has characters outside [A-Za-z0-9.-+@_], a pair lacks
    /// '=', a value is too long or not UTF-8, or a limit is exceeded. Empty entries (double NULs) are skipped
    /// and a missing NUL after the last pair is tolerated.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, IscsiTextLimits limits, List<KeyValuePair<string, string>> pairs, out string? error)
    {
        error = null;
        if (text.Length > limits.MaxTotalBytes)
        {
            error = $"text of {text.Length} bytes exceeds the limit of {limits.MaxTotalBytes}";
            return false;
        }

        int index = 0;
        while (!text.IsEmpty)
        {
            int end = text.IndexOf((byte)0);
            ReadOnlySpan<byte> pair = end < 0 ? text : text[..end];
            text = end < 0 ? default : text[(end + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            index++;
            if (pairs.Count >= limits.MaxPairs)
            {
                error = $"more than {limits.MaxPairs} key=value pairs";
                return false;
            }

            int eq = pair.IndexOf((byte)'=');
            if (eq < 0)
            {
                error = $"pair {index}: no '=' in \"{Printable(pair)}\"";
                return false;
            }

            ReadOnlySpan<byte> key = pair[..eq];
            ReadOnlySpan<byte> value = pair[(eq + 1)..];
            if (key.IsEmpty || key.Length > limits.MaxKeyLength)
            {
                error = $"pair {index}: key length {key.Length} is outside 1..{limits.MaxKeyLength}";
                return false;
            }

            foreach (byte b in key)
            {
                if (!IsKeyChar(b))
                {
                    error = $"pair {index}: key \"{Printable(key)}\" contains byte 0x{b:X2} (allowed: letters, digits, . - + @ _)";
                    return false;
                }
            }

            if (value.Length > limits.MaxValueLength)
            {
                error = $"key {Encoding.ASCII.GetString(key)}: value of {value.Length} bytes exceeds {limits.MaxValueLength}";
                return false;
            }

            string v;
            try
            {
                v = StrictUtf8.GetString(value);
            }
            catch (DecoderFallbackException)
            {
                error = $"key {Encoding.ASCII.GetString(key)}: value is not valid UTF-8";
                return false;
            }

            pairs.Add(new(Encoding.ASCII.GetString(key), v));
        }

        return true;
    }

    /// <summary>Throwing edge of <see cref="TryParse"/>.</summary>
    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> text, IscsiTextLimits? limits = null, string peer = "peer")
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (!TryParse(text, limits ?? IscsiTextLimits.Default, pairs, out string? error))
        {
            throw new IscsiProtocolException(peer, "malformed text parameters: " + error);
        }

        return pairs;
    }

    /// <summary>Encodes pairs as key=value\0…; throws on a key or value that cannot be encoded.</summary>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var buffer = new List<byte>(256);
        foreach (var (key, value) in pairs)
        {
            if (key.Length == 0 || key.Length > 63 || key.Any(c => c > 0x7F || !IsKeyChar((byte)c)))
            {
                throw new ArgumentException($"invalid iSCSI key name \"{key}\" (RFC 7143 §6.1)", nameof(pairs));
            }

            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"value of {key} contains a NUL", nameof(pairs));
            }

            buffer.AddRange(Encoding.ASCII.GetBytes(key));
            buffer.Add((byte)'=');
            buffer.AddRange(Encoding.UTF8.GetBytes(value));
            buffer.Add(0);
        }

        return buffer.ToArray();
    }

    /// <summary>The value of the first pair named <paramref name="key"/>, or null.</summary>
    public static string? Find(IReadOnlyList<KeyValuePair<string, string>> pairs, string key)
    {
        foreach (var p in pairs)
        {
            if (string.Equals(p.Key, key, StringComparison.Ordinal))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static bool IsKeyChar(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'.' or (byte)'-' or (byte)'+' or (byte)'@' or (byte)'_';

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes[..Math.Min(bytes.Length, 64)])
        {
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return sb.ToString();
    }
}

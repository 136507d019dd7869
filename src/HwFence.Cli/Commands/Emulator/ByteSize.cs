using System.Globalization;

namespace HwFence.Cli.Commands.Emulator;

/// <summary>Sizes as operators write them: 512, 64K, 256M, 2G, 1T (binary multiples, like truncate(1) and tgtadm).</summary>
internal static class ByteSize
{
    public static bool TryParse(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        string t = (text ?? "").Trim();
        if (t.Length == 0)
        {
            error = "size is empty; write e.g. 256M";
            return false;
        }

        long multiplier = char.ToUpperInvariant(t[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1,
        };
        string digits = multiplier == 1 ? t : t[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > long.MaxValue / multiplier)
        {
            error = $"size '{text}' is not a positive number with an optional K, M, G or T suffix";
            return false;
        }

        bytes = n * multiplier;
        if (bytes % 512 != 0)
        {
            error = $"size {bytes} is not a multiple of the 512-byte block";
            return false;
        }

        error = null;
        return true;
    }
}

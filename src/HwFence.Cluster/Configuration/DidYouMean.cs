namespace HwFence.Cluster.Configuration;

/// <summary>Suggests the closest known name for a misspelt key (Levenshtein distance ≤ 1/3 of its length, at least 2).</summary>
internal static class DidYouMean
{
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = Distance(unknown.ToLowerInvariant(), k.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, unknown.Length / 3) ? best : null;
    }

    internal static int Distance(string a, string b)
    {
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }
}

using System.Globalization;

namespace HwFence.Testing;

/// <summary>
/// Checks that a given process holds the listening socket of a TCP port on 127.0.0.1 — tgtd does not
/// fail when its portal port is already taken, so <see cref="TgtdFixture"/> verifies it this way
/// (/proc/net/tcp gives the socket inode, /proc/PID/fd links name the process's sockets).
/// </summary>
public static class TgtdPortalProbe
{
    /// <summary>True when process <paramref name="pid"/> listens on 127.0.0.1:<paramref name="port"/> (or 0.0.0.0).</summary>
    public static bool IsListening(int pid, int port)
    {
        HashSet<string> inodes = ListeningInodes(port);
        if (inodes.Count == 0)
        {
            return false;
        }

        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? link = new FileInfo(fd).LinkTarget;
                if (link is not null && link.StartsWith("socket:[", StringComparison.Ordinal)
                    && inodes.Contains(link[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }

    private static HashSet<string> ListeningInodes(int port)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        string suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && f[3] == "0A" && f[1].EndsWith(suffix, StringComparison.Ordinal)
                && (f[1].StartsWith("0100007F", StringComparison.Ordinal) || f[1].StartsWith("00000000", StringComparison.Ordinal)))
            {
                result.Add(f[9]);
            }
        }

        return result;
    }
}

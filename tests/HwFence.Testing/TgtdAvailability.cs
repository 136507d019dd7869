namespace HwFence.Testing;

/// <summary>Whether tgtd and tgtadm can run here, and if not, the reason tests print when they skip.</summary>
public static class TgtdAvailability
{
    private static readonly Lazy<(string? Tgtd, string? Tgtadm, string? Skip)> Probe = new(Detect);

    /// <summary>Full path of tgtd, or null.</summary>
    public static string? TgtdPath => Probe.Value.Tgtd;

    /// <summary>Full path of tgtadm, or null.</summary>
    public static string? TgtadmPath => Probe.Value.Tgtadm;

    /// <summary>Null when tgtd can be used; otherwise a sentence naming what is missing and the remedy.</summary>
    public static string? SkipReason => Probe.Value.Skip;

    private static (string?, string?, string?) Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, null, "tgtd (Debian package tgt) runs only on Linux");
        }

        string? tgtd = Find("tgtd");
        string? tgtadm = Find("tgtadm");
        if (tgtd is null || tgtadm is null)
        {
            return (tgtd, tgtadm, "tgtd/tgtadm not found on PATH or in /usr/sbin: install the Debian package 'tgt' (tools/setup.sh does)");
        }

        // tgtd creates its management socket and lock under /var/run/tgtd.
        const string runDir = "/var/run/tgtd";
        bool root = Environment.UserName == "root";
        if (!root && !(Directory.Exists(runDir) && CanWrite(runDir)))
        {
            return (tgtd, tgtadm, $"tgtd needs to create {runDir}: run the tests as root or make {runDir} writable");
        }

        return (tgtd, tgtadm, null);
    }

    private static bool CanWrite(string dir)
    {
        try
        {
            string probe = Path.Combine(dir, $".hwfence-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string? Find(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin"))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

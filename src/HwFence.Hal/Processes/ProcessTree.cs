using System.Globalization;

namespace HwFence.Hal.Processes;

/// <summary>
/// A process and everything it started, read from /proc (Linux). Used to crash a whole emulated
/// "machine" at once: a real server that dies takes its applications with it, so the rig must not
/// leave a node's children running as orphans that keep writing the shared disk.
/// </summary>
public static class ProcessTree
{
    /// <summary>The parent pid of <paramref name="pid"/> from /proc/PID/stat (field 4), or null when it is gone.</summary>
    public static int? ParentOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may contain spaces and parentheses, so parse after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        string[] fields = stat[(close + 2)..].Split(' ', 3);
        return fields.Length >= 2 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid) ? ppid : null;
    }

    /// <summary>Every live descendant of <paramref name="pid"/> (children, grandchildren, …), not including it.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int p) && ParentOf(p) is int parent)
            {
                if (!children.TryGetValue(parent, out List<int>? list))
                {
                    children[parent] = list = [];
                }

                list.Add(p);
            }
        }

        var result = new List<int>();
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0)
        {
            if (children.TryGetValue(pending.Pop(), out List<int>? list))
            {
                foreach (int c in list)
                {
                    result.Add(c);
                    pending.Push(c);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// SIGKILLs <paramref name="pid"/> and all its descendants as one crash: the root is stopped
    /// first so that it cannot start anything new, its descendants are stopped and collected until
    /// no new one appears, then everything is killed. Returns how many descendants were killed.
    /// </summary>
    public static int KillTree(int pid)
    {
        if (!ProcessSignals.Send(pid, PosixSignal.Stop))
        {
            return 0;
        }

        var victims = new HashSet<int>();
        for (int round = 0; round < 10; round++)
        {
            bool grew = false;
            foreach (int d in Descendants(pid))
            {
                if (victims.Add(d))
                {
                    grew = true;
                    ProcessSignals.Send(d, PosixSignal.Stop);
                }
            }

            if (!grew)
            {
                break;
            }
        }

        foreach (int d in victims)
        {
            ProcessSignals.Send(d, PosixSignal.Kill);
        }

        ProcessSignals.Send(pid, PosixSignal.Kill);
        return victims.Count;
    }
}

namespace HwFence.Emulator;

/// <summary>
/// Where the emulator reports logins, logouts, reservation changes, faults and dropped connections.
/// The CLI prints them; tests collect them. Implementations must be thread-safe.
/// </summary>
public interface IEmulatorLog
{
    void Info(string message);

    void Warn(string message);
}

/// <summary>Discards everything (the default for in-process disks).</summary>
public sealed class NullEmulatorLog : IEmulatorLog
{
    public static readonly NullEmulatorLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warn(string message)
    {
    }
}

/// <summary>Collects lines in memory (tests assert on them).</summary>
public sealed class MemoryEmulatorLog : IEmulatorLog
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public void Info(string message)
    {
        lock (_lines)
        {
            _lines.Add("info: " + message);
        }
    }

    public void Warn(string message)
    {
        lock (_lines)
        {
            _lines.Add("warn: " + message);
        }
    }
}

namespace HwFence.Emulator.Reservations;

/// <summary>
/// Where a logical unit keeps its persistent reservation state while APTPL is set (SPC-4 §5.13.5),
/// so that it is restored after a power cycle (target restart). Files for file-backed disks, memory
/// for in-memory disks (which "survive" a simulated restart of the same <c>EmulatedDisk</c>).
/// </summary>
public interface IAptplStore
{
    /// <summary>Saves the serialized state durably (atomic replace).</summary>
    void Save(ReadOnlySpan<byte> state);

    /// <summary>Removes any saved state (APTPL was cleared).</summary>
    void Delete();

    /// <summary>The saved state, or null.</summary>
    byte[]? Load();

    /// <summary>Where the state lives, for log lines.</summary>
    string Location { get; }
}

/// <summary>APTPL state in memory: survives <c>EmulatedDisk.Restart</c>, not the process.</summary>
public sealed class MemoryAptplStore : IAptplStore
{
    private byte[]? _state;

    public string Location => "memory";

    public void Save(ReadOnlySpan<byte> state) => Volatile.Write(ref _state, state.ToArray());

    public void Delete() => Volatile.Write(ref _state, null);

    public byte[]? Load() => Volatile.Read(ref _state);
}

/// <summary>
/// APTPL state in a file beside the backing file (<c>disk.img.pr</c>), written to a temporary file,
/// fsynced and renamed over the old one so a crash leaves either the old or the new state.
/// </summary>
public sealed class FileAptplStore(string path) : IAptplStore
{
    public string Location => path;

    public void Save(ReadOnlySpan<byte> state)
    {
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(state);
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }

    public void Delete()
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public byte[]? Load() => File.Exists(path) ? File.ReadAllBytes(path) : null;
}

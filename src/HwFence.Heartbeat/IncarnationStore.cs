using System.Globalization;
using HwFence.Hal.FileSystem;

namespace HwFence.Heartbeat;

/// <summary>
/// This node's incarnation (boot generation), persisted so that it strictly increases across
/// restarts: peers keep the highest incarnation they heard and drop anything older
/// (<see cref="Frames.DropReason.StaleIncarnation"/>), so frames delayed from before a restart can
/// never pass for current ones.
/// </summary>
/// <remarks>
/// The next incarnation is max(previous + 1, seconds since the Unix epoch), so a node whose state
/// directory was wiped (re-imaged) still comes back above what its peers remember as long as its
/// clock is roughly right; with the file intact, a clock stepped backwards cannot make it go down.
/// Written as a decimal number to a temporary file, fsync'ed, then renamed over the old one, so a
/// crash mid-write leaves either the old or the new value, never a torn one; then the state
/// directory itself is fsync'ed (<see cref="DirectorySync"/>), because until it is the rename may
/// exist only in the page cache — after a power failure the node would come back with the old
/// file and hand out an incarnation it already used. <see cref="Next(string, TimeProvider)"/>
/// returns only after the new value is durable.
/// </remarks>
public static class IncarnationStore
{
    /// <summary>File name inside the state directory.</summary>
    public const string FileName = "incarnation";

    /// <summary>Reads the last incarnation (0 if none), persists the next one and returns it.</summary>
    public static ulong Next(string stateDirectory, TimeProvider time) => Next(stateDirectory, time, DirectorySync.Flush);

    /// <summary><see cref="Next(string, TimeProvider)"/> with the directory fsync as a seam (tests record the calls).</summary>
    internal static ulong Next(string stateDirectory, TimeProvider time, Action<string> syncDirectory)
    {
        string directory = Path.GetFullPath(stateDirectory);
        // Every directory created now needs its own entry made durable in its parent, outermost first.
        var created = new Stack<string>();
        for (string? d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Push(d);
        }

        Directory.CreateDirectory(directory);
        foreach (string d in created)
        {
            syncDirectory(Path.GetDirectoryName(d)!);
        }

        string path = Path.Combine(directory, FileName);
        ulong previous = Read(path);
        if (previous == ulong.MaxValue)
        {
            throw new InvalidOperationException($"incarnation file {path} holds the largest possible value; remove it to restart the count.");
        }

        ulong fromClock = (ulong)Math.Max(0, time.GetUtcNow().ToUnixTimeSeconds());
        ulong next = Math.Max(previous + 1, fromClock);
        Write(path, next);
        syncDirectory(directory); // makes the rename durable
        return next;
    }

    /// <summary>The persisted incarnation, or 0 when there is none yet.</summary>
    public static ulong Read(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        string text = File.ReadAllText(path).Trim();
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new InvalidDataException(
                $"incarnation file {path} does not hold a decimal number ('{(text.Length > 40 ? text[..40] + "…" : text)}'); " +
                "it is written only by hwfence — remove it and the next incarnation is taken from the clock.");
    }

    private static void Write(string path, ulong value)
    {
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true); // fsync(2) before the rename makes the new name visible
        }

        File.Move(temp, path, overwrite: true); // rename(2): atomic replacement
    }
}

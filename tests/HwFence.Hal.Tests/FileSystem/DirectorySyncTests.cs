using HwFence.Hal.FileSystem;

namespace HwFence.Hal.Tests.FileSystem;

/// <summary>open(O_DIRECTORY) + fsync(2) + close on the real file system.</summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-dirsync-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_directory_with_a_fresh_rename_is_flushed()
    {
        string temp = Path.Combine(_dir, "f.tmp");
        File.WriteAllText(temp, "1\n");
        File.Move(temp, Path.Combine(_dir, "f"), overwrite: true);

        DirectorySync.Flush(_dir); // throws on any errno
    }

    [Fact]
    public void A_missing_directory_is_named_with_its_errno()
    {
        string missing = Path.Combine(_dir, "missing");
        var e = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("ENOENT", e.Message);
    }

    [LinuxOnlyFact]
    public void A_regular_file_is_refused_as_not_a_directory()
    {
        string file = Path.Combine(_dir, "plain");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<IOException>(() => DirectorySync.Flush(file));
        Assert.Contains("ENOTDIR", e.Message);
    }
}

/// <summary>A fact that runs only on Linux (O_DIRECTORY is passed only there).</summary>
public sealed class LinuxOnlyFactAttribute : FactAttribute
{
    public LinuxOnlyFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "O_DIRECTORY (and so ENOTDIR for a plain file) is only passed on Linux";
        }
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal.FileSystem;

/// <summary>
/// Makes a directory's entries durable: open(2) it read-only, fsync(2), close. A file written to a
/// temporary name, fsync'ed and renamed over the old one is only crash-safe once the directory
/// holding both names is fsync'ed too — until then the rename lives in the page cache and a power
/// failure can bring back the old name (ext4 and XFS document this; see fsync(2), "Calling fsync()
/// does not necessarily ensure that the entry in the directory containing the file has also
/// reached disk. For that an explicit fsync() on a file descriptor for the directory is also needed").
/// </summary>
public static class DirectorySync
{
    /// <summary>
    /// fsync(2)s <paramref name="directory"/>. On Windows it does nothing (NTFS journals the rename's
    /// metadata; there is no directory handle to flush). Throws <see cref="IOException"/> naming the
    /// directory and the errno when the directory cannot be opened or flushed.
    /// </summary>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using SafeDeviceHandle handle = SafeDeviceHandle.Open(directory, Interop.Libc.OpenFlags.O_RDONLY | Interop.Libc.OpenFlags.O_CLOEXEC | ODirectory, out int errno);
        if (handle.IsInvalid)
        {
            throw Failure(directory, "open", errno);
        }

        if (Interop.Libc.Fsync(handle) != 0)
        {
            errno = Interop.Errors.Last;
            if (errno != Interop.Errors.EINVAL) // EINVAL: a file system that cannot sync directories (it keeps nothing to flush)
            {
                throw Failure(directory, "fsync", errno);
            }
        }
    }

    /// <summary>O_DIRECTORY: fail with ENOTDIR unless the path is a directory. 0200000 in asm-generic (x86-64), 040000 on arm/arm64; 0 (not checked) elsewhere.</summary>
    private static int ODirectory =>
        !OperatingSystem.IsLinux() ? 0 :
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    private static IOException Failure(string directory, string operation, int errno) =>
        new($"directory {directory}: {operation} for fsync failed: {Interop.Errors.Describe(errno)} — the rename just made in it may not survive a power failure; check that the state directory is on a local, writable file system.");
}

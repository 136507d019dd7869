using System.Globalization;
using System.Text;

namespace HwFence.Hal.Serial;

/// <summary>
/// The UUCP/FHS lock file that tells minicom, picocom, ModemManager and friends that a tty is in use:
/// <c>/var/lock/LCK..ttyS0</c> holding the owner's PID as ten ASCII digits, right-aligned, and a
/// newline (the HDB UUCP format, FHS 3.0 §5.9). Created atomically (write a temporary file, then
/// link(2) it into place, which fails if the name exists); a lock whose PID no longer exists is
/// stale and replaced.
/// </summary>
internal sealed class UucpLockFile : IDisposable
{
    private readonly string _content;
    private bool _released;

    private UucpLockFile(string path, string content)
    {
        Path = path;
        _content = content;
    }

    /// <summary>The lock file's full path.</summary>
    internal string Path { get; }

    /// <summary><c>/var/lock</c> when it exists (it is a link to /run/lock on Debian), else <c>/run/lock</c>.</summary>
    internal static string DefaultDirectory => Directory.Exists("/var/lock") ? "/var/lock" : "/run/lock";

    /// <summary>
    /// "LCK..ttyS0" for /dev/ttyS0; "LCK..pts_3" for /dev/pts/3 (lockdev's rule: the path below /dev
    /// with '/' → '_'). Symlinks (/dev/serial/by-id/…) are resolved first so both names lock the same device.
    /// </summary>
    internal static string LockName(string device)
    {
        string resolved = device;
        try
        {
            resolved = new FileInfo(device).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? device;
        }
        catch (IOException)
        {
            // A dangling link: lock by the name given.
        }

        string name = resolved.StartsWith("/dev/", StringComparison.Ordinal) ? resolved["/dev/".Length..] : System.IO.Path.GetFileName(resolved);
        return "LCK.." + name.Replace('/', '_');
    }

    /// <summary>"      1234\n": the PID as ten right-aligned ASCII digits and a newline.</summary>
    internal static string Format(int pid) => pid.ToString(CultureInfo.InvariantCulture).PadLeft(10) + "\n";

    /// <summary>Parses the HDB format (leading blanks, digits, optional newline); false for anything else.</summary>
    internal static bool TryParse(string content, out int pid) =>
        int.TryParse(content.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;

    /// <summary>Takes the lock for <paramref name="device"/> or throws <see cref="SerialPortException"/> saying who holds it.</summary>
    internal static UucpLockFile Acquire(string device, string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new SerialPortException(device,
                $"lock directory {directory} does not exist — create it (mkdir -m 1777 /run/lock) or configure another lock directory");
        }

        int pid = Environment.ProcessId;
        string path = System.IO.Path.Combine(directory, LockName(device));
        string content = Format(pid);
        string temporary = System.IO.Path.Combine(directory, $"LTMP.{pid}.{Guid.NewGuid():N}");
        try
        {
            try
            {
                File.WriteAllText(temporary, content, Encoding.ASCII);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new SerialPortException(device,
                    $"cannot create lock file in {directory}: permission denied — run hwfence as root or give it write access to {directory} (group 'lock' / 'uucp' on some systems)", inner: ex);
            }

            for (int attempt = 0; attempt < 3; attempt++)
            {
                if (Interop.Libc.Link(temporary, path) == 0)
                {
                    return new UucpLockFile(path, content);
                }

                int errno = Interop.Errors.Last;
                if (errno != Interop.Errors.EEXIST)
                {
                    throw new SerialPortException(device, $"cannot create lock file {path}: {Interop.Errors.Describe(errno)}", errno);
                }

                string existing;
                try
                {
                    existing = File.ReadAllText(path, Encoding.ASCII);
                }
                catch (FileNotFoundException)
                {
                    continue; // released between link and read: try again
                }

                if (TryParse(existing, out int owner) && IsAlive(owner))
                {
                    throw new SerialPortException(device, owner == pid
                        ? $"busy: already open in this process (PID {pid}, lock file {path})"
                        : $"busy: in use by PID {owner} ({ProcessName(owner)}) per lock file {path}; stop that program first");
                }

                // Stale (dead owner, or not a lock file anyone could have written): replace it.
                try
                {
                    File.Delete(path);
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw new SerialPortException(device, $"stale lock file {path} (owner {existing.Trim()} is gone) cannot be removed: permission denied — remove it as root", inner: ex);
                }
            }

            throw new SerialPortException(device, $"could not take lock file {path}: it keeps reappearing (another program is racing for {device})");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static bool IsAlive(int pid) =>
        Interop.Libc.Kill(pid, 0) == 0 || Interop.Errors.Last == Interop.Errors.EPERM;

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "unknown program";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown program";
        }
    }

    /// <summary>Removes the lock file if it is still ours.</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            if (File.ReadAllText(Path, Encoding.ASCII) == _content)
            {
                File.Delete(Path);
            }
        }
        catch (IOException)
        {
            // Already gone.
        }
        catch (UnauthorizedAccessException)
        {
            // Someone replaced it with a file we may not touch: leave it.
        }
    }
}

using System.Text;
using static HwFence.Hal.Interop.Libc;
using static HwFence.Hal.Interop.Libc.OpenFlags;
using static HwFence.Hal.Interop.Libc.PollEvents;

namespace HwFence.Hal.Serial;

/// <summary>What a read from a pty master found.</summary>
public enum PtyReadStatus
{
    /// <summary>Bytes were read.</summary>
    Data,
    /// <summary>Nothing arrived within the timeout.</summary>
    TimedOut,
    /// <summary>No process has the slave open (it was opened and closed): the cable end is unplugged.</summary>
    SlaveClosed,
    /// <summary>A <see cref="WakeSignal"/> interrupted the wait.</summary>
    Woken,
}

/// <summary>
/// A pseudo-terminal pair (posix_openpt, grantpt, unlockpt, ptsname_r): the slave
/// (<see cref="SlavePath"/>, /dev/pts/N) is opened by a node like any serial tty; this object holds
/// the master, the "other side of the wire". The slave starts in raw mode (set through the master:
/// Linux applies termios calls on a master to its slave), so bytes written into the master are not
/// echoed back or translated before a node has opened its end.
/// </summary>
/// <remarks>
/// Linux pty semantics the relay relies on: before the slave is first opened, the master simply
/// has nothing to read; once it was opened and every slave fd is closed, poll(2) on the master
/// reports POLLHUP and read(2) returns EIO until someone opens the slave again.
/// </remarks>
public sealed class PseudoTerminal : IDisposable
{
    private PseudoTerminal(SafeDeviceHandle master, string slavePath)
    {
        Master = master;
        SlavePath = slavePath;
    }

    /// <summary>The master side's fd.</summary>
    public SafeDeviceHandle Master { get; }

    /// <summary>The slave device, e.g. /dev/pts/7.</summary>
    public string SlavePath { get; }

    /// <summary>Creates a pty pair with its slave in raw mode.</summary>
    public static unsafe PseudoTerminal Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("pseudo-terminal pairs are created with Linux posix_openpt semantics");
        }

        SafeDeviceHandle master = SafeDeviceHandle.FromFileDescriptor(PosixOpenPt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
        if (master.IsInvalid)
        {
            int errno = Interop.Errors.Last;
            master.Dispose();
            throw Interop.Errors.ForSerial(errno, "/dev/ptmx", "posix_openpt");
        }

        try
        {
            if (GrantPt(master) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, "/dev/ptmx", "grantpt");
            }

            if (UnlockPt(master) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, "/dev/ptmx", "unlockpt");
            }

            byte* name = stackalloc byte[128];
            int rc = PtsNameR(master, name, 128);
            if (rc != 0)
            {
                throw Interop.Errors.ForSerial(rc, "/dev/ptmx", "ptsname_r");
            }

            string slavePath = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(name, 128).SliceToNul());

            Termios termios;
            if (TcGetAttr(master, &termios) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, slavePath, "tcgetattr (via master)");
            }

            TermiosConfiguration.MakeRaw(&termios);
            if (TcSetAttr(master, TermiosBits.TCSANOW, &termios) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, slavePath, "tcsetattr (via master)");
            }

            return new PseudoTerminal(master, slavePath);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads from the master, waiting up to <paramref name="timeout"/>. Never throws for an unplugged
    /// end: <see cref="PtyReadStatus.SlaveClosed"/> says no node has the slave open.
    /// </summary>
    public PtyReadStatus Read(Span<byte> buffer, TimeSpan timeout, out int bytesRead) =>
        Read(buffer, DeviceIo.ToPollTimeout(timeout, nameof(timeout)), null, out bytesRead);

    internal PtyReadStatus Read(Span<byte> buffer, int timeoutMs, WakeSignal? wake, out int bytesRead)
    {
        bytesRead = 0;
        long deadline = DeviceIo.Deadline(timeoutMs);
        while (true)
        {
            WaitOutcome outcome = DeviceIo.Wait(Master, POLLIN, wake, DeviceIo.Remaining(deadline), out _, out int errno);
            switch (outcome)
            {
                case WaitOutcome.TimedOut:
                    return PtyReadStatus.TimedOut;
                case WaitOutcome.Woken:
                    return PtyReadStatus.Woken;
                case WaitOutcome.HungUp:
                    return PtyReadStatus.SlaveClosed;
                case WaitOutcome.Failed:
                    throw Interop.Errors.ForSerial(errno, SlavePath, "poll (master)");
            }

            int n = DeviceIo.Read(Master, buffer, out errno);
            if (n > 0)
            {
                bytesRead = n;
                return PtyReadStatus.Data;
            }

            if (n == 0 || errno == Interop.Errors.EIO)
            {
                return PtyReadStatus.SlaveClosed;
            }

            if (errno != Interop.Errors.EAGAIN)
            {
                throw Interop.Errors.ForSerial(errno, SlavePath, "read (master)");
            }
        }
    }

    /// <summary>True when the slave was opened and every slave fd has been closed since (master reports POLLHUP).</summary>
    public bool IsSlaveClosed => DeviceIo.Wait(Master, 0, null, 0, out short events, out _) == WaitOutcome.HungUp && (events & POLLHUP) != 0;

    /// <summary>
    /// Writes into the master (what the slave's reader will receive), waiting up to
    /// <paramref name="timeout"/> for room. Returns the bytes accepted: fewer than asked when the
    /// slave's input queue stayed full (the node is not reading — on a real line, an overrun).
    /// </summary>
    public int Write(ReadOnlySpan<byte> buffer, TimeSpan timeout) => Write(buffer, DeviceIo.ToPollTimeout(timeout, nameof(timeout)), null);

    internal int Write(ReadOnlySpan<byte> buffer, int timeoutMs, WakeSignal? wake)
    {
        long deadline = DeviceIo.Deadline(timeoutMs);
        int written = 0;
        while (written < buffer.Length)
        {
            int n = DeviceIo.Write(Master, buffer[written..], out int errno);
            if (n > 0)
            {
                written += n;
                continue;
            }

            if (n < 0 && errno == Interop.Errors.EIO)
            {
                return written;
            }

            if (n < 0 && errno != Interop.Errors.EAGAIN)
            {
                throw Interop.Errors.ForSerial(errno, SlavePath, "write (master)");
            }

            if (DeviceIo.Wait(Master, POLLOUT, wake, DeviceIo.Remaining(deadline), out _, out _) != WaitOutcome.Ready)
            {
                return written;
            }
        }

        return written;
    }

    /// <summary>Reads the slave's termios through the master (Linux redirects termios calls on a master to its slave).</summary>
    internal SerialPortSettings ReadSlaveSettings(out bool raw) => TermiosConfiguration.Read(Master, SlavePath, out raw);

    /// <summary>Closes the master: the slave's readers see a hang-up (EOF/POLLHUP), its writers EIO.</summary>
    public void Dispose() => Master.Dispose();
}

internal static class NulTerminated
{
    /// <summary>The bytes before the first NUL.</summary>
    internal static ReadOnlySpan<byte> SliceToNul(this ReadOnlySpan<byte> span)
    {
        int nul = span.IndexOf((byte)0);
        return nul < 0 ? span : span[..nul];
    }
}

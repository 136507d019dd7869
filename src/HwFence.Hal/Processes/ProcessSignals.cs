namespace HwFence.Hal.Processes;

/// <summary>
/// Sends real signals to real processes: SIGKILL (a crash), SIGSTOP/SIGCONT (a frozen node that
/// wakes up later), SIGTERM (a clean stop). .NET's Process class can only SIGKILL.
/// </summary>
public static class ProcessSignals
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process no longer exists.</summary>
    /// <exception cref="IOException">Any other failure (EPERM: not our process).</exception>
    public static bool Send(int pid, PosixSignal signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            throw new PlatformNotSupportedException("POSIX signals are not available on this operating system");
        }

        if (Interop.Libc.Kill(pid, (int)signal) == 0)
        {
            return true;
        }

        int errno = Interop.Errors.Last;
        if (errno == Interop.Errors.ESRCH)
        {
            return false;
        }

        throw new IOException($"process {pid}: cannot send {signal} (SIG{Name(signal)}): {Interop.Errors.Describe(errno)}");
    }

    /// <summary>True while <paramref name="pid"/> exists (signal 0).</summary>
    public static bool Exists(int pid) => Interop.Libc.Kill(pid, 0) == 0 || Interop.Errors.Last == Interop.Errors.EPERM;

    private static string Name(PosixSignal s) => s switch
    {
        PosixSignal.Hangup => "HUP",
        PosixSignal.Interrupt => "INT",
        PosixSignal.Kill => "KILL",
        PosixSignal.Terminate => "TERM",
        PosixSignal.Continue => "CONT",
        PosixSignal.Stop => "STOP",
        _ => ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

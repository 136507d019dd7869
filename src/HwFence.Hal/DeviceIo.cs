using System.Diagnostics;
using static HwFence.Hal.Interop.Libc.PollEvents;

namespace HwFence.Hal;

/// <summary>Why <see cref="DeviceIo.Wait"/> returned.</summary>
internal enum WaitOutcome
{
    /// <summary>The requested event (readable/writable) is signalled; ReturnedEvents may also carry POLLHUP/POLLERR.</summary>
    Ready,
    /// <summary>The timeout passed with nothing to do.</summary>
    TimedOut,
    /// <summary>The <see cref="WakeSignal"/> fired (Dispose, Cut, ...).</summary>
    Woken,
    /// <summary>POLLHUP or POLLERR without the requested event: the other end is gone.</summary>
    HungUp,
    /// <summary>poll(2) itself failed; see errno.</summary>
    Failed,
}

/// <summary>
/// Blocking waits for non-blocking device fds: poll(2) with a timeout (and optionally a
/// <see cref="WakeSignal"/>), EINTR retried with the remaining time. Never sleeps, never allocates
/// (dotnet/runtime issue 2379 shows what a 1 ms sleep loop costs System.IO.Ports).
/// </summary>
internal static class DeviceIo
{
    /// <summary>TimeSpan → poll(2) milliseconds: rounded up, <see cref="Timeout.InfiniteTimeSpan"/> → -1.</summary>
    internal static int ToPollTimeout(TimeSpan timeout, string parameterName)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout, "the timeout must be between 0 and 24 days, or Timeout.InfiniteTimeSpan");
        }

        return (int)Math.Ceiling(timeout.TotalMilliseconds);
    }

    /// <summary>
    /// Waits until <paramref name="fd"/> has <paramref name="events"/> (POLLIN or POLLOUT), it hangs up,
    /// <paramref name="wake"/> fires, or <paramref name="timeoutMs"/> passes (-1: forever).
    /// </summary>
    internal static unsafe WaitOutcome Wait(SafeDeviceHandle fd, short events, WakeSignal? wake, int timeoutMs, out short returnedEvents, out int errno)
    {
        returnedEvents = 0;
        errno = 0;
        bool fdRef = false, wakeRef = false;
        try
        {
            fd.DangerousAddRef(ref fdRef);
            if (wake is not null)
            {
                wake.Handle.DangerousAddRef(ref wakeRef);
            }

            Interop.Libc.PollFd* set = stackalloc Interop.Libc.PollFd[2];
            set[0] = new Interop.Libc.PollFd { Fd = fd.DangerousFileDescriptor, Events = events };
            set[1] = new Interop.Libc.PollFd { Fd = wake is null ? -1 : wake.Handle.DangerousFileDescriptor, Events = POLLIN };
            nuint count = wake is null ? 1u : 2u;

            long deadline = timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)timeoutMs * Stopwatch.Frequency / 1000;
            int remaining = timeoutMs;
            while (true)
            {
                int rc = Interop.Libc.Poll(set, count, remaining);
                if (rc > 0)
                {
                    break;
                }

                if (rc == 0)
                {
                    return WaitOutcome.TimedOut;
                }

                errno = Interop.Errors.Last;
                if (errno != Interop.Errors.EINTR)
                {
                    return WaitOutcome.Failed;
                }

                if (timeoutMs >= 0)
                {
                    long left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        return WaitOutcome.TimedOut;
                    }

                    remaining = (int)Math.Ceiling(left * 1000.0 / Stopwatch.Frequency);
                }
            }

            returnedEvents = set[0].ReturnedEvents;
            if ((returnedEvents & events) != 0)
            {
                return WaitOutcome.Ready;
            }

            if ((returnedEvents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
            {
                return WaitOutcome.HungUp;
            }

            return WaitOutcome.Woken;
        }
        finally
        {
            if (fdRef)
            {
                fd.DangerousRelease();
            }

            if (wakeRef)
            {
                wake!.Handle.DangerousRelease();
            }
        }
    }

    /// <summary>Milliseconds left until <paramref name="deadline"/> (a Stopwatch timestamp), at least 0; -1 stays -1.</summary>
    internal static int Remaining(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            return -1;
        }

        long left = deadline - Stopwatch.GetTimestamp();
        return left <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(left * 1000.0 / Stopwatch.Frequency));
    }

    /// <summary>The Stopwatch timestamp <paramref name="timeoutMs"/> from now; -1 → never.</summary>
    internal static long Deadline(int timeoutMs) =>
        timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)timeoutMs * Stopwatch.Frequency / 1000;

    /// <summary>read(2) into <paramref name="buffer"/>: bytes read, 0 at EOF, -1 with <paramref name="errno"/>.</summary>
    internal static unsafe int Read(SafeDeviceHandle fd, Span<byte> buffer, out int errno)
    {
        fixed (byte* p = buffer)
        {
            nint n = Interop.Libc.Read(fd, p, buffer.Length);
            errno = n < 0 ? Interop.Errors.Last : 0;
            return (int)n;
        }
    }

    /// <summary>write(2) from <paramref name="buffer"/>: bytes accepted, or -1 with <paramref name="errno"/>.</summary>
    internal static unsafe int Write(SafeDeviceHandle fd, ReadOnlySpan<byte> buffer, out int errno)
    {
        fixed (byte* p = buffer)
        {
            nint n = Interop.Libc.Write(fd, p, buffer.Length);
            errno = n < 0 ? Interop.Errors.Last : 0;
            return (int)n;
        }
    }
}

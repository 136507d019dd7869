using System.Runtime.InteropServices;

namespace HwFence.Hal;

/// <summary>
/// An open /dev/watchdog descriptor. Closing it without first writing the magic character 'V'
/// leaves the watchdog armed (the kernel then resets the machine when the timeout expires) — which
/// is exactly what a crashed daemon should get.
/// </summary>
internal sealed class SafeWatchdogHandle : SafeHandle
{
    public SafeWatchdogHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>Opens <paramref name="path"/> write-only; opening arms the watchdog. Throws with errno and remedy.</summary>
    public static SafeWatchdogHandle Open(string path)
    {
        var h = new SafeWatchdogHandle();
        int fd;
        do
        {
            fd = Interop.Watchdog.Open(path, Interop.Watchdog.O_WRONLY | Interop.Watchdog.O_CLOEXEC);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interop.Errno.EINTR);

        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            h.SetHandleAsInvalid();
            throw Interop.ErrnoToIOException(path, "open", errno);
        }

        h.SetHandle(fd);
        return h;
    }

    protected override bool ReleaseHandle() => Interop.Watchdog.Close((int)handle) == 0;
}

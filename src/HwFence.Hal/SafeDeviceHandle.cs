using Microsoft.Win32.SafeHandles;

namespace HwFence.Hal;

/// <summary>
/// An open Unix file descriptor for a device node (/dev/sg*, /dev/sd*, a tty, /dev/ptmx, an
/// eventfd). The only way an fd crosses an API in HwFence: it is closed exactly once, and never
/// while a native call that received it is still running (SafeHandle reference counting).
/// </summary>
public sealed class SafeDeviceHandle : SafeHandleMinusOneIsInvalid
{
    private SafeDeviceHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <summary>Wraps an fd a native call returned (may be -1: check <see cref="SafeHandle.IsInvalid"/>).</summary>
    internal static SafeDeviceHandle FromFileDescriptor(int fd) => new(fd);

    /// <summary>
    /// open(2) the device; the handle is invalid on failure and <paramref name="errno"/> says why.
    /// Callers turn errno into their own exception through <see cref="Interop.Errors"/>.
    /// </summary>
    internal static SafeDeviceHandle Open(string path, int flags, out int errno)
    {
        int fd = Interop.Libc.Open(path, flags);
        errno = fd < 0 ? Interop.Errors.Last : 0;
        return new SafeDeviceHandle(fd);
    }

    /// <summary>The raw fd, for callers that hold a <see cref="SafeHandle.DangerousAddRef"/> (poll sets).</summary>
    internal int DangerousFileDescriptor => (int)DangerousGetHandle();

    protected override bool ReleaseHandle() => Interop.Libc.Close((int)handle) == 0;
}

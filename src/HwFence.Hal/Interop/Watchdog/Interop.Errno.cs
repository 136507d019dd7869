using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    /// <summary>
    /// The one place where errno becomes an exception for the watchdog and GPIO bindings
    /// (dotnet/runtime Interop.IOErrors.cs pattern): the message names the device, the operation,
    /// errno's name-less number and strerror's text, plus what to do for the common causes.
    /// </summary>
    internal static IOException ErrnoToIOException(string device, string operation, int errno)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        string remedy = errno switch
        {
            Errno.ENOENT or Errno.ENODEV or Errno.ENXIO => " — the device does not exist on this machine (is the driver loaded?)",
            Errno.EACCES or Errno.EPERM => " — run as root or give the daemon's user access to the device",
            Errno.EBUSY => " — another process holds it (e.g. watchdog.service or another daemon)",
            Errno.EINVAL => " — the driver rejected the value (e.g. a timeout outside its range)",
            _ => "",
        };
        return new IOException($"{device}: {operation} failed: errno {errno} ({text}){remedy}", errno);
    }

    /// <summary>errno values used above (Linux asm-generic/errno-base.h).</summary>
    internal static class Errno
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int EINTR = 4;
        internal const int ENXIO = 6;
        internal const int EACCES = 13;
        internal const int EBUSY = 16;
        internal const int ENODEV = 19;
        internal const int EINVAL = 22;
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>tty ioctl requests (asm-generic/ioctls.h).</summary>
        internal static class IoctlRequests
        {
            /// <summary>Put the tty into exclusive mode: further open(2)s fail with EBUSY (except for CAP_SYS_ADMIN).</summary>
            internal const ulong TIOCEXCL = 0x540C;
        }

        /// <summary>ioctl(2) with a pointer argument (or null). Returns ≥ 0, or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(SafeDeviceHandle fd, ulong request, void* argument);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>read(2): bytes read, 0 at end of file (a hung-up tty), or -1 (errno; EAGAIN on an empty non-blocking fd).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static unsafe partial nint Read(SafeDeviceHandle fd, byte* buffer, nint count);
    }
}

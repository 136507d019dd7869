using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>write(2): bytes accepted (possibly fewer than asked), or -1 (errno; EAGAIN when the output queue is full).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static unsafe partial nint Write(SafeDeviceHandle fd, byte* buffer, nint count);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>tcflush(3): discard queued input and/or output. Returns 0 or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "tcflush", SetLastError = true)]
        internal static partial int TcFlush(SafeDeviceHandle fd, int queueSelector);
    }
}

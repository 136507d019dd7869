using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Watchdog
    {
        /// <summary>close(2) on a raw descriptor; only <see cref="SafeWatchdogHandle.ReleaseHandle"/> calls it.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}

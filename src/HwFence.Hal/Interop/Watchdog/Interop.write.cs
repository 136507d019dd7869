using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Watchdog
    {
        /// <summary>write(2); used for the magic close character 'V'. Returns -1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static unsafe partial nint Write(SafeWatchdogHandle fd, byte* buffer, nuint count);
    }
}

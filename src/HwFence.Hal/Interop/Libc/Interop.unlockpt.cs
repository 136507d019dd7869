using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>unlockpt(3): lets the slave be opened. Returns 0 or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "unlockpt", SetLastError = true)]
        internal static partial int UnlockPt(SafeDeviceHandle master);
    }
}

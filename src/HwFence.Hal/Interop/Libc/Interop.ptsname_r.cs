using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// ptsname_r(3), the thread-safe ptsname: writes the slave's path ("/dev/pts/7") into
        /// <paramref name="buffer"/>. Returns 0, or an error number (not -1/errno).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "ptsname_r")]
        internal static unsafe partial int PtsNameR(SafeDeviceHandle master, byte* buffer, nuint length);
    }
}

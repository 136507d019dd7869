using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>posix_openpt(3): opens /dev/ptmx (glibc passes the flags to open). Returns the master fd or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "posix_openpt", SetLastError = true)]
        internal static partial int PosixOpenPt(int flags);
    }
}

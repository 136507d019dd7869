using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// fsync(2): flushes the file's data and metadata to stable storage. On a directory fd it makes
        /// the directory's entries durable — what a rename(2) needs to survive a power failure.
        /// Returns 0, or -1 (errno).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(SafeDeviceHandle fd);
    }
}

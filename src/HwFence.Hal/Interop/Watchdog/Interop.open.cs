using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Watchdog
    {
        /// <summary>open(2) flags used for /dev/watchdog (Linux asm-generic/fcntl.h).</summary>
        internal const int O_WRONLY = 0x1;
        internal const int O_CLOEXEC = 0x80000;

        /// <summary>open(2); returns -1 with errno set.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int LOCK_EX = 2;
        internal const int LOCK_NB = 4;

        /// <summary>
        /// flock(2). pyserial, minicom and friends take LOCK_EX on the tty; unlike TIOCEXCL it also
        /// stops root. Returns 0 or -1 (errno EWOULDBLOCK: another open file holds it).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
        internal static partial int Flock(SafeDeviceHandle fd, int operation);
    }
}

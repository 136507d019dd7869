using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>tcgetattr(3). On a pty master Linux reads the slave's termios. Returns 0 or -1 (errno; ENOTTY: not a terminal).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "tcgetattr", SetLastError = true)]
        internal static unsafe partial int TcGetAttr(SafeDeviceHandle fd, Termios* termios);
    }
}

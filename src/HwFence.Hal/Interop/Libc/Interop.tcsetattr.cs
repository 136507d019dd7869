using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>tcsetattr(3). Succeeds if any change was applied: read back with tcgetattr to verify. Returns 0 or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "tcsetattr", SetLastError = true)]
        internal static unsafe partial int TcSetAttr(SafeDeviceHandle fd, int optionalActions, Termios* termios);
    }
}

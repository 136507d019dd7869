using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>cfsetospeed(3) with a Bxxxx constant. Returns 0 or -1 (errno EINVAL: not a valid speed).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "cfsetospeed", SetLastError = true)]
        internal static unsafe partial int CfSetOutputSpeed(Termios* termios, uint speed);
    }
}

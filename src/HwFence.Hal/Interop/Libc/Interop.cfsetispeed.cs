using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>cfsetispeed(3) with a Bxxxx constant. Returns 0 or -1 (errno EINVAL: not a valid speed).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "cfsetispeed", SetLastError = true)]
        internal static unsafe partial int CfSetInputSpeed(Termios* termios, uint speed);
    }
}

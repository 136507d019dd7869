using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>cfgetispeed(3): the Bxxxx constant stored in the termios.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "cfgetispeed")]
        internal static unsafe partial uint CfGetInputSpeed(Termios* termios);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>cfgetospeed(3): the Bxxxx constant stored in the termios.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "cfgetospeed")]
        internal static unsafe partial uint CfGetOutputSpeed(Termios* termios);
    }
}

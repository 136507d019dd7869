using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>cfmakeraw(3): no echo, no line editing, no signals, no CR/LF translation, 8 bits.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "cfmakeraw")]
        internal static unsafe partial void CfMakeRaw(Termios* termios);
    }
}

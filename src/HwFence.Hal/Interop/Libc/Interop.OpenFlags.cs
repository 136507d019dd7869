namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>open(2) flags, Linux asm-generic values (x86-64, arm64).</summary>
        internal static class OpenFlags
        {
            internal const int O_RDONLY = 0x0000;
            internal const int O_WRONLY = 0x0001; // /dev/watchdog
            internal const int O_RDWR = 0x0002;
            internal const int O_NOCTTY = 0x0100;   // 0400: never become our controlling terminal
            internal const int O_NONBLOCK = 0x0800; // 04000: open and I/O never block; we wait in poll(2)
            internal const int O_CLOEXEC = 0x80000; // 02000000: not inherited by supervised applications
        }
    }
}

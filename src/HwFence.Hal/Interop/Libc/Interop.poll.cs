using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct pollfd (poll.h): int fd; short events; short revents — 8 bytes on every Linux ABI.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short ReturnedEvents;
        }

        /// <summary>poll(2) event bits (asm-generic/poll.h).</summary>
        internal static class PollEvents
        {
            internal const short POLLIN = 0x0001;
            internal const short POLLPRI = 0x0002;
            internal const short POLLOUT = 0x0004;
            internal const short POLLERR = 0x0008;
            internal const short POLLHUP = 0x0010;
            internal const short POLLNVAL = 0x0020;
        }

        /// <summary>
        /// poll(2). Takes raw fds because one call watches several handles: callers hold a
        /// <see cref="SafeHandle.DangerousAddRef"/> on each for the duration (see <see cref="DeviceIo"/>).
        /// Returns the number of ready fds, 0 on timeout, -1 (errno).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
    }
}

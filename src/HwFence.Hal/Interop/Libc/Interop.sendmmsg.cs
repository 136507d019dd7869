using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// sendmmsg(2) (Linux only): sends up to <paramref name="count"/> datagrams in one system call.
        /// Returns how many were sent — fewer than asked when one fails after the first (that error is
        /// not reported; the caller resumes at the first unsent one and sees it then) — or -1 (errno)
        /// when the first one fails.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sendmmsg", SetLastError = true)]
        internal static unsafe partial int SendMmsg(SafeSocketHandle socket, MMsgHdr* messages, uint count, int flags);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>grantpt(3): gives the slave to the caller's uid (a no-op on devpts). Returns 0 or -1 (errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "grantpt", SetLastError = true)]
        internal static partial int GrantPt(SafeDeviceHandle master);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class HwFenceNative
    {
        /// <summary>
        /// HwFenceNative_GetSgVersion: ioctl(SG_GET_VERSION_NUM), answered by the sg driver and by the
        /// block layer for /dev/sd*; ENOTTY on anything that is not SG_IO-capable. 0 or -1 (errno).
        /// </summary>
        [LibraryImport(Libraries.HwFenceNative, EntryPoint = "HwFenceNative_GetSgVersion", SetLastError = true)]
        internal static unsafe partial int GetSgVersion(SafeDeviceHandle fd, int* version);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class HwFenceNative
    {
        /// <summary>
        /// HwFenceNative_SgIo: one ioctl(SG_IO). 0 = the kernel completed the request (inspect
        /// <paramref name="result"/>), -1 = errno. <paramref name="direction"/> is a
        /// <see cref="Scsi.DataDirection"/> value. EINTR is retried in C.
        /// </summary>
        [LibraryImport(Libraries.HwFenceNative, EntryPoint = "HwFenceNative_SgIo", SetLastError = true)]
        internal static unsafe partial int SgIo(
            SafeDeviceHandle fd,
            byte* cdb, int cdbLength,
            int direction,
            byte* data, int dataLength,
            byte* sense, int senseLength,
            int timeoutMilliseconds,
            SgIoResult* result);
    }
}

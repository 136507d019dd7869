using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>DeviceIoControl (ioapiset.h), synchronous (no OVERLAPPED). Nonzero on success; else GetLastError.</summary>
        [SupportedOSPlatform("windows")]
        [LibraryImport(Libraries.Kernel32, EntryPoint = "DeviceIoControl", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static unsafe partial bool DeviceIoControl(
            SafeFileHandle device,
            uint ioControlCode,
            void* inBuffer,
            uint inBufferSize,
            void* outBuffer,
            uint outBufferSize,
            uint* bytesReturned,
            nint overlapped);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_exit(libusb_context *ctx). Only <see cref="SafeLibUsbContextHandle"/> calls it.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_exit")]
        internal static partial void Exit(nint context);
    }
}

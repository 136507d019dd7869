using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_init(libusb_context **ctx); 0 or a negative LIBUSB_ERROR code (libusb.h, libusb 1.0).</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_init")]
        internal static unsafe partial int Init(nint* context);
    }
}

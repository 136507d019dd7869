using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_close(libusb_device_handle *dev_handle). Only <see cref="SafeLibUsbDeviceHandle"/> calls it.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_close")]
        internal static partial void Close(nint deviceHandle);
    }
}

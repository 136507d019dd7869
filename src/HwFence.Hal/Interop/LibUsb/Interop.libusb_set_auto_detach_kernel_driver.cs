using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev_handle, int enable): lets claim_interface take the interface from usbhid.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_set_auto_detach_kernel_driver")]
        internal static partial int SetAutoDetachKernelDriver(SafeLibUsbDeviceHandle deviceHandle, int enable);
    }
}

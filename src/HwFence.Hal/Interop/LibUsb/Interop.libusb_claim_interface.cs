using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_claim_interface(libusb_device_handle *dev_handle, int interface_number).</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_claim_interface")]
        internal static partial int ClaimInterface(SafeLibUsbDeviceHandle deviceHandle, int interfaceNumber);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>libusb_device_handle *libusb_open_device_with_vid_pid(libusb_context *ctx, uint16_t vendor_id, uint16_t product_id); NULL when absent or not permitted.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_open_device_with_vid_pid")]
        internal static partial nint OpenDeviceWithVidPid(SafeLibUsbContextHandle context, ushort vendorId, ushort productId);
    }
}

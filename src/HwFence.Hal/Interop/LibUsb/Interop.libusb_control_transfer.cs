using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>
        /// int libusb_control_transfer(libusb_device_handle *dev_handle, uint8_t bmRequestType, uint8_t bRequest,
        /// uint16_t wValue, uint16_t wIndex, unsigned char *data, uint16_t wLength, unsigned int timeout_ms):
        /// bytes transferred, or a negative LIBUSB_ERROR code.
        /// </summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_control_transfer")]
        internal static unsafe partial int ControlTransfer(
            SafeLibUsbDeviceHandle deviceHandle, byte requestType, byte request, ushort value, ushort index, byte* data, ushort length, uint timeoutMs);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>const char *libusb_error_name(int error_code): a static string such as "LIBUSB_ERROR_ACCESS".</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_error_name")]
        internal static partial nint ErrorName(int errorCode);

        /// <summary>The one place a LIBUSB_ERROR code becomes an exception: names the device, the call, the code and the remedy.</summary>
        internal static IOException ToIOException(string device, string operation, int code)
        {
            string name = Marshal.PtrToStringUTF8(ErrorName(code)) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string remedy = code switch
            {
                -3 => " — give the daemon access to the device (udev rule MODE=\"0660\" GROUP=…) or run as root", // LIBUSB_ERROR_ACCESS
                -4 => " — the board was unplugged", // LIBUSB_ERROR_NO_DEVICE
                -6 => " — another program holds the interface", // LIBUSB_ERROR_BUSY
                -7 => " — the board did not answer in time", // LIBUSB_ERROR_TIMEOUT
                _ => "",
            };
            return new IOException($"{device}: {operation} failed: {name} ({code}){remedy}");
        }
    }
}

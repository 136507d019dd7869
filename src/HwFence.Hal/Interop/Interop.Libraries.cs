namespace HwFence.Hal;

/// <summary>
/// Native bindings, one nested class per library and one file per native function
/// (Interop/&lt;Library&gt;/Interop.&lt;function&gt;.cs), following dotnet/runtime's interop guidelines.
/// </summary>
internal static partial class Interop
{
    /// <summary>
    /// Library names used by every [LibraryImport] in this assembly. <see cref="NativeLibraryResolver"/>
    /// (the assembly's one DllImportResolver) maps Libc to glibc's soname and HwFenceNative to the shim
    /// next to the assembly; the other names go through the runtime's default probing.
    /// </summary>
    internal static class Libraries
    {
        /// <summary>The C library: open, ioctl, poll, termios, posix_openpt, flock.</summary>
        internal const string Libc = "libc";

        /// <summary>HwFence's own SG_IO shim built from native/ with cmake.</summary>
        internal const string HwFenceNative = "libhwfence_native";

        /// <summary>libgpiod v2 (Debian libgpiod2/libgpiod3): GPIO output lines for power relays.</summary>
        internal const string Gpiod = "libgpiod.so.2";

        /// <summary>libusb-1.0: USB relay boards.</summary>
        internal const string LibUsb = "libusb-1.0.so.0";

        /// <summary>Windows: CreateFileW, DeviceIoControl for IOCTL_SCSI_PASS_THROUGH_DIRECT.</summary>
        internal const string Kernel32 = "kernel32.dll";
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>struct gpiod_chip *gpiod_chip_open(const char *path); NULL with errno set (libgpiod 1.6 gpiod.h).</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_chip_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial SafeGpiodChipHandle ChipOpen(string path);
    }
}

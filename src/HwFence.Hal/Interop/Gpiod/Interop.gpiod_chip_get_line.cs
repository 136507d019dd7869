using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset); the line belongs to the chip (never freed on its own); NULL with errno set.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_chip_get_line", SetLastError = true)]
        internal static partial nint ChipGetLine(SafeGpiodChipHandle chip, uint offset);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>void gpiod_chip_close(struct gpiod_chip *chip); releases every line requested through the chip. Only <see cref="SafeGpiodChipHandle"/> calls it.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_chip_close")]
        internal static partial void ChipClose(nint chip);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>int gpiod_line_set_value(struct gpiod_line *line, int value); -1 with errno set.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_line_set_value", SetLastError = true)]
        internal static partial int LineSetValue(nint line, int value);
    }
}

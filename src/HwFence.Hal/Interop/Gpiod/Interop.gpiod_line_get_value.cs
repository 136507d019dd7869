using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>int gpiod_line_get_value(struct gpiod_line *line); 0 or 1, or -1 with errno set. For an output line it reads back the driven level.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_line_get_value", SetLastError = true)]
        internal static partial int LineGetValue(nint line);
    }
}

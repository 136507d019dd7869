using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>void gpiod_line_release(struct gpiod_line *line); gives the line back (it keeps its last level on most chips).</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_line_release")]
        internal static partial void LineRelease(nint line);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>int gpiod_line_request_input(struct gpiod_line *line, const char *consumer); -1 with errno set. Used for the optional sense line.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_line_request_input", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int LineRequestInput(nint line, string consumer);
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Gpiod
    {
        /// <summary>int gpiod_line_request_output(struct gpiod_line *line, const char *consumer, int default_val); -1 with errno set.</summary>
        [LibraryImport(Libraries.Gpiod, EntryPoint = "gpiod_line_request_output", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int LineRequestOutput(nint line, string consumer, int defaultValue);
    }
}

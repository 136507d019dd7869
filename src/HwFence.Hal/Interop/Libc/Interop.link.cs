using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// link(2): creates <paramref name="newPath"/> as a hard link, failing with EEXIST if it exists —
        /// the atomic step of UUCP lock-file creation (a complete file appears, or nothing).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Link(string oldPath, string newPath);
    }
}

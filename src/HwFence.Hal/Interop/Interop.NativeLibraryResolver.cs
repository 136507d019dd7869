using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    /// <summary>
    /// The one <see cref="NativeLibrary.SetDllImportResolver"/> of this assembly (an assembly can have
    /// only one). It resolves <see cref="Libraries.HwFenceNative"/> next to the assembly first (the
    /// HwFence.Hal build copies native/build/libhwfence_native.so there), then through
    /// <c>HWFENCE_NATIVE_LIB</c>, and <see cref="Libraries.Libc"/> to glibc's real soname (plain
    /// "libc.so" is a linker script on machines with libc6-dev). Every other name (libgpiod,
    /// libusb) returns <see cref="IntPtr.Zero"/> and falls back to the runtime's default probing.
    /// </summary>
    internal static class NativeLibraryResolver
    {
        /// <summary>Environment variable naming an explicit libhwfence_native.so to load.</summary>
        internal const string ShimPathVariable = "HWFENCE_NATIVE_LIB";

        internal const string ShimFileName = "libhwfence_native.so";

        private static readonly object s_gate = new();
        private static IntPtr s_shim;
        private static string? s_shimError;
        private static bool s_shimProbed;

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke of any Interop file in this assembly.
        [ModuleInitializer]
#pragma warning restore CA2255
        internal static void Register() =>
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (libraryName == Libraries.HwFenceNative)
            {
                return TryLoadShim(out IntPtr handle, out _) ? handle : IntPtr.Zero;
            }

            if (libraryName == Libraries.Libc && OperatingSystem.IsLinux()
                && NativeLibrary.TryLoad("libc.so.6", out IntPtr libc))
            {
                return libc;
            }

            return IntPtr.Zero;
        }

        /// <summary>
        /// Loads the SG_IO shim once. On failure <paramref name="error"/> says where it looked and how
        /// to build it; callers turn that into <see cref="Scsi.ScsiTransportError.ShimMissing"/>.
        /// </summary>
        internal static bool TryLoadShim(out IntPtr handle, out string? error)
        {
            lock (s_gate)
            {
                if (!s_shimProbed)
                {
                    s_shimProbed = true;
                    s_shim = ProbeShim(out s_shimError);
                }

                handle = s_shim;
                error = s_shimError;
                return handle != IntPtr.Zero;
            }
        }

        /// <summary>The candidate paths, in probing order (also printed in the error).</summary>
        internal static IEnumerable<string> ShimCandidates()
        {
            string? explicitPath = Environment.GetEnvironmentVariable(ShimPathVariable);
            if (!string.IsNullOrEmpty(explicitPath))
            {
                yield return explicitPath;
            }

            string? assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location);
            if (!string.IsNullOrEmpty(assemblyDir))
            {
                yield return Path.Combine(assemblyDir, ShimFileName);
            }

            if (!string.Equals(assemblyDir?.TrimEnd('/') + "/", AppContext.BaseDirectory, StringComparison.Ordinal))
            {
                yield return Path.Combine(AppContext.BaseDirectory, ShimFileName);
            }
        }

        private static IntPtr ProbeShim(out string? error) => ProbeShim(ShimCandidates(), searchLinkerPath: true, out error);

        /// <summary>Loads the first candidate that exists and has the right ABI (separate from the cache so tests can probe bad paths).</summary>
        internal static IntPtr ProbeShim(IEnumerable<string> candidates, bool searchLinkerPath, out string? error)
        {
            if (!OperatingSystem.IsLinux())
            {
                error = "the SG_IO shim exists only on Linux";
                return IntPtr.Zero;
            }

            var tried = new List<string>();
            foreach (string candidate in candidates)
            {
                tried.Add(candidate);
                if (File.Exists(candidate))
                {
                    if (!NativeLibrary.TryLoad(candidate, out IntPtr handle))
                    {
                        error = $"{candidate} exists but cannot be loaded (wrong architecture or a broken build) — rebuild it with tools/setup.sh";
                        return IntPtr.Zero;
                    }

                    return CheckAbi(handle, candidate, out error);
                }
            }

            // Last resort: the dynamic linker's own search (LD_LIBRARY_PATH, /usr/local/lib, ...).
            if (searchLinkerPath && NativeLibrary.TryLoad(ShimFileName, out IntPtr system))
            {
                return CheckAbi(system, ShimFileName, out error);
            }

            error = $"the native SG_IO shim {ShimFileName} was not found (looked in {string.Join(", ", tried)} "
                + $"and the dynamic linker's path) — run tools/setup.sh, or build it with "
                + $"'cmake -S native -B native/build && cmake --build native/build' and rebuild HwFence "
                + $"(the build copies it next to the assemblies), or set {ShimPathVariable} to its path";
            return IntPtr.Zero;
        }

        private static unsafe IntPtr CheckAbi(IntPtr handle, string path, out string? error)
        {
            if (!NativeLibrary.TryGetExport(handle, "HwFenceNative_GetAbiVersion", out IntPtr export))
            {
                error = $"{path} is not the HwFence SG_IO shim (no HwFenceNative_GetAbiVersion export) — rebuild native/ with cmake";
                return IntPtr.Zero;
            }

            int version = ((delegate* unmanaged<int>)export)();
            if (version != HwFenceNative.AbiVersion)
            {
                error = $"{path} has shim ABI version {version}, this build needs {HwFenceNative.AbiVersion} — "
                    + "it is left over from another checkout: rerun tools/setup.sh (or cmake --build native/build)";
                return IntPtr.Zero;
            }

            error = null;
            return handle;
        }
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal.Tests.Scsi;

/// <summary>The SG_IO shim in native/: present next to the assemblies, built from source, and refused when wrong.</summary>
public class NativeShimTests
{
    [Fact]
    public void ShimIsDeployedNextToTheAssemblies()
    {
        // CI builds the shim (tools/setup.sh) before the tests: a missing shim is a failure, not a skip.
        bool loaded = Interop.NativeLibraryResolver.TryLoadShim(out IntPtr handle, out string? error);
        Assert.True(loaded, $"libhwfence_native.so is not loadable: {error}");
        Assert.NotEqual(IntPtr.Zero, handle);
    }

    [Fact]
    public unsafe void ShimBuildsFromSourceWithCMakeAndExportsTheAbi()
    {
        string root = TestSupport.RepositoryRoot();
        string build = Directory.CreateTempSubdirectory("hwfence-native-").FullName;
        try
        {
            var configure = TestSupport.Run("cmake", $"-S \"{Path.Combine(root, "native")}\" -B \"{build}\" -DCMAKE_BUILD_TYPE=Release", TimeSpan.FromMinutes(2));
            Assert.True(configure.ExitCode == 0, $"cmake configure failed:\n{configure.Output}");
            var compile = TestSupport.Run("cmake", $"--build \"{build}\"", TimeSpan.FromMinutes(2));
            Assert.True(compile.ExitCode == 0, $"cmake --build failed (the shim compiles with -Wall -Wextra -Wconversion -Werror):\n{compile.Output}");

            string library = Path.Combine(build, "libhwfence_native.so");
            IntPtr handle = NativeLibrary.Load(library);
            try
            {
                Assert.True(NativeLibrary.TryGetExport(handle, "HwFenceNative_SgIo", out _));
                Assert.True(NativeLibrary.TryGetExport(handle, "HwFenceNative_GetSgVersion", out _));
                IntPtr abi = NativeLibrary.GetExport(handle, "HwFenceNative_GetAbiVersion");
                Assert.Equal(Interop.HwFenceNative.AbiVersion, ((delegate* unmanaged<int>)abi)());
            }
            finally
            {
                NativeLibrary.Free(handle);
            }
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    [Fact]
    public void MissingShimErrorNamesWhereItLookedAndHowToBuildIt()
    {
        string nowhere = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "libhwfence_native.so");

        IntPtr handle = Interop.NativeLibraryResolver.ProbeShim([nowhere], searchLinkerPath: false, out string? error);

        Assert.Equal(IntPtr.Zero, handle);
        Assert.Contains(nowhere, error);
        Assert.Contains("tools/setup.sh", error);
        Assert.Contains("cmake -S native -B native/build", error);
    }

    [Fact]
    public void ALibraryThatIsNotTheShimIsRefused()
    {
        // The C library this process already mapped: a real shared object without our exports.
        string libc = File.ReadLines("/proc/self/maps").Select(line => line[(line.IndexOf('/') is var i && i >= 0 ? i : line.Length)..])
            .First(path => path.EndsWith("/libc.so.6", StringComparison.Ordinal));

        IntPtr handle = Interop.NativeLibraryResolver.ProbeShim([libc], searchLinkerPath: false, out string? error);

        Assert.Equal(IntPtr.Zero, handle);
        Assert.Contains("not the HwFence SG_IO shim", error);
    }

    [Fact]
    public void AFileThatIsNotASharedObjectIsRefused()
    {
        string bogus = Path.GetTempFileName();
        try
        {
            File.WriteAllText(bogus, "not ELF");
            IntPtr handle = Interop.NativeLibraryResolver.ProbeShim([bogus], searchLinkerPath: false, out string? error);

            Assert.Equal(IntPtr.Zero, handle);
            Assert.Contains("cannot be loaded", error);
        }
        finally
        {
            File.Delete(bogus);
        }
    }

    [Fact]
    public unsafe void SgIoResultMirrorsTheCStruct() =>
        // HwFenceSgIoResult is eight int32_t.
        Assert.Equal(32, sizeof(Interop.HwFenceNative.SgIoResult));
}

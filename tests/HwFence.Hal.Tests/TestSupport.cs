using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HwFence.Hal.Tests;

/// <summary>Paths and small process helpers shared by the HAL tests.</summary>
internal static partial class TestSupport
{
    /// <summary>The repository root, from this source file's compile-time path (build output may live elsewhere, e.g. $HWFENCE_ARTIFACTS).</summary>
    internal static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        string? dir = Path.GetDirectoryName(sourceFile);
        while (dir is not null && !File.Exists(Path.Combine(dir, "HwFence.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException($"cannot find HwFence.sln above {sourceFile}");
    }

    /// <summary>Runs a tool to completion; returns exit code and combined output. The child is killed if it outlives the timeout.</summary>
    internal static (int ExitCode, string Output) Run(string fileName, string arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"{fileName} {arguments} did not finish within {timeout}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    internal static bool IsRoot => GetEffectiveUserId() == 0;

    [LibraryImport("libc.so.6", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    /// <summary>
    /// setfsuid(2) changes only the calling thread's filesystem uid (glibc does not broadcast it to
    /// other threads), and leaving uid 0 drops CAP_DAC_OVERRIDE for that thread: a root test can see
    /// permission checks fail on a dedicated thread without touching the rest of the test host.
    /// </summary>
    [LibraryImport("libc.so.6", EntryPoint = "setfsuid")]
    internal static partial int SetFsUid(int uid);

    /// <summary>Runs <paramref name="action"/> on a new thread whose filesystem uid is nobody (65534).</summary>
    internal static T RunAsNobody<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            int previous = SetFsUid(65534);
            try
            {
                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                SetFsUid(previous);
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure;
        }

        return result;
    }
}

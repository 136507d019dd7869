using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace HwFence.Qemu.Tests;

/// <summary>
/// Whether QEMU guests can run here: qemu-system-x86_64 on PATH and the guest kernel + initramfs
/// built by <c>hil/qemu/build-guest.sh</c> (idempotent, cached in /var/cache/hwfence-qemu).
/// Computed once; <see cref="SkipReason"/> is null when everything is present.
/// </summary>
internal static class QemuAvailability
{
    private static readonly Lazy<(string? Reason, string Kernel, string Initrd)> State = new(Probe);

    public static string? SkipReason => State.Value.Reason;

    public static string Kernel => State.Value.Kernel;

    public static string Initrd => State.Value.Initrd;

    /// <summary>The repository root (the folder holding HwFence.sln), found upwards from the test binaries or the working directory.</summary>
    public static string? RepoRoot() => RepoRootFrom();

    // The binaries may live outside the tree (HWFENCE_ARTIFACTS=/tmp/…): the source file's compile-time path is the fallback.
    private static string? RepoRootFrom([CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) ?? "/" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "HwFence.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static (string?, string, string) Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return ("QEMU guests need a Linux host", "", "");
        }

        if (FindOnPath("qemu-system-x86_64") is null)
        {
            return ("qemu-system-x86_64 is not installed (tools/setup.sh installs qemu-system-x86 and qemu-block-extra)", "", "");
        }

        string? root = RepoRoot();
        if (root is null)
        {
            return ("cannot find the repository root (HwFence.sln) to run hil/qemu/build-guest.sh", "", "");
        }

        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(root, "hil", "qemu", "build-guest.sh"));
        using var build = Process.Start(psi)!;
        Task<string> stderr = build.StandardError.ReadToEndAsync();
        string stdout = build.StandardOutput.ReadToEnd();
        if (!build.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            build.Kill(entireProcessTree: true);
            return ("hil/qemu/build-guest.sh did not finish within 3 minutes", "", "");
        }

        string[] paths = stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (build.ExitCode != 0 || paths.Length != 2 || !File.Exists(paths[0]) || !File.Exists(paths[1]))
        {
            return ($"hil/qemu/build-guest.sh could not build the guest kernel/initramfs (exit {build.ExitCode}): {stderr.Result.Trim()}", "", "");
        }

        if (!File.Exists("/usr/bin/sg_persist") || FindOnPath("dotnet") is null)
        {
            return ("the guest runs the host's sg3-utils and dotnet over 9p: install sg3-utils (tools/setup.sh)", "", "");
        }

        return (null, paths[0], paths[1]);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}

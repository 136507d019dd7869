using System.Diagnostics;

namespace HwFence.Cli.Tests.Demo;

/// <summary>Runs the real <c>hwfence</c> executable (copied next to the tests) as a child process.</summary>
internal static class HwFenceProcess
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "hwfence.dll");

    public static Result Run(TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            // SIGTERM first so the demo cleans up its node processes, then make sure.
            HwFence.Hal.Processes.ProcessSignals.Send(p.Id, HwFence.Hal.Processes.PosixSignal.Terminate);
            if (!p.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                p.Kill(entireProcessTree: true);
            }

            throw new TimeoutException($"hwfence {string.Join(' ', args)} did not finish within {limit.TotalSeconds} s; output so far:\n{stdout.Result}\n{stderr.Result}");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}

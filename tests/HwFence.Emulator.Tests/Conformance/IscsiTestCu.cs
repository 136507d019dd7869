using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HwFence.Emulator.Tests.Conformance;

/// <summary>
/// Runs libiscsi's conformance tool <c>iscsi-test-cu</c> (Debian libiscsi-bin) against a URL and
/// reads CUnit's run summary. The way Kestrel runs h2spec: a suite we did not write, as a process.
/// </summary>
internal static partial class IscsiTestCu
{
    public const string Executable = "/usr/bin/iscsi-test-cu";
    public const string Initiator1 = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test";
    public const string Initiator2 = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2";

    public static bool IsInstalled => File.Exists(Executable);

    public sealed record Result(int ExitCode, int Ran, int Passed, int Failed, string Output, IReadOnlyList<string> FailedTests);

    /// <summary>Runs one test family/suite with --dataloss and both initiator names; kills the process on timeout.</summary>
    public static async Task<Result> RunAsync(string url, string test, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--dataloss", "--normal", "-i", Initiator1, "-I", Initiator2, "-t", test, url })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start iscsi-test-cu");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        string output = await stdout + await stderr;
        var m = TestsLine().Match(output);
        int ran = m.Success ? int.Parse(m.Groups[2].Value) : 0;
        int passed = m.Success ? int.Parse(m.Groups[3].Value) : 0;
        int failed = m.Success ? int.Parse(m.Groups[4].Value) : -1;
        var failedTests = FailedTest().Matches(output).Select(x => x.Groups[1].Value.Trim()).Distinct().ToList();
        return new Result(p.HasExited ? p.ExitCode : -1, ran, passed, failed, output, failedTests);
    }

    // CUnit "Run Summary":  tests     <total>   <ran>  <passed>  <failed>  <inactive>
    [GeneratedRegex(@"^\s*tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex TestsLine();

    [GeneratedRegex(@"Test: (\S+) \.\.\.\s*FAILED", RegexOptions.Multiline)]
    private static partial Regex FailedTest();
}

using HwFence.Emulator.Tests.Support;
using Xunit.Abstractions;

namespace HwFence.Emulator.Tests.Conformance;

/// <summary>
/// libiscsi's iscsi-test-cu against the emulator over real loopback TCP, one xunit test per suite
/// (issue 3: 28 tests in 9 suites). Each prints its per-suite counts and fails on any failed test.
/// </summary>
public sealed class LibiscsiConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Suites() => new()
    {
        { "ALL.Reserve6", 7 },
        { "ALL.ProutRegister", 1 },
        { "ALL.ProutReserve", 13 },
        { "ALL.ProutClear", 1 },
        { "ALL.ProutPreempt", 1 },
        { "ALL.PrinReadKeys", 2 },
        { "ALL.PrinServiceactionRange", 1 },
        { "ALL.PrinReportCapabilities", 1 },
        { "ALL.TestUnitReady", 1 },
    };

    [IscsiTestCuTheory]
    [MemberData(nameof(Suites))]
    public async Task Suite_passes_every_test(string suite, int expectedTests)
    {
        await using var server = new EmulatorServer();
        var result = await IscsiTestCu.RunAsync(server.Url(0), suite, TimeSpan.FromSeconds(120));
        output.WriteLine($"{suite}: ran {result.Ran}, passed {result.Passed}, failed {result.Failed} (exit {result.ExitCode})");
        foreach (var t in result.FailedTests)
        {
            output.WriteLine("  FAILED " + t);
        }

        if (result.Failed != 0 || result.Ran != expectedTests)
        {
            output.WriteLine(result.Output);
            output.WriteLine("--- emulator log ---");
            foreach (var line in server.Log.Lines)
            {
                output.WriteLine(line);
            }
        }

        Assert.Equal(expectedTests, result.Ran);
        Assert.Equal(0, result.Failed);
        Assert.Equal(expectedTests, result.Passed);
    }
}

/// <summary>A theory that is skipped, with the reason, when iscsi-test-cu is not installed.</summary>
public sealed class IscsiTestCuTheoryAttribute : TheoryAttribute
{
    public IscsiTestCuTheoryAttribute()
    {
        if (!IscsiTestCu.IsInstalled)
        {
            Skip = $"{IscsiTestCu.Executable} is missing: install Debian package libiscsi-bin (tools/setup.sh)";
        }
    }
}

using System.Text.Json;
using HwFence.Cli.Tests.Demo;

namespace HwFence.Cli.Tests.Hil;

/// <summary>The real <c>hwfence hil run</c>: three node processes, a SIGKILL, the checker.</summary>
[Collection(HwFence.Cli.Tests.ClusterFlows.LiveClusterCollection.Name)]
public class HilRunTests
{
    private static string Hil(params string[] parts) => Path.Combine([HilScenarioParserTests.RepoRoot(), "hil", .. parts]);

    [Fact]
    public void KillHostRunsAndEveryInvariantHolds()
    {
        var r = HwFenceProcess.Run(TimeSpan.FromSeconds(90), "hil", "run", "--json", "--rig", Hil("rigs", "emulated.yaml"), Hil("scenarios", "kill-host.yaml"));
        string Describe() => $"exit {r.ExitCode}\nstdout:\n{r.Out}\nstderr:\n{r.Error}";
        Assert.True(r.ExitCode == 0, Describe());

        var run = JsonDocument.Parse(r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
        Assert.Equal("kill-host", run.GetProperty("scenario").GetString());
        Assert.True(run.GetProperty("passed").GetBoolean(), Describe());
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("ok").GetBoolean(), Describe()));
        Assert.Equal(7, run.GetProperty("steps").GetArrayLength());
        // Registration case 3: the returning primary waits, paused, until the backup hands over.
        Assert.Matches("n1 is PRIMARY and n[23] hosts it; waiting, paused", run.GetProperty("steps")[4].GetProperty("detail").GetString()!);
        var failover = Assert.Single(run.GetProperty("failovers").EnumerateArray());
        Assert.Equal(1, failover.GetProperty("failed_host").GetInt32());
        Assert.True(failover.GetProperty("total_ms").GetDouble() > 0, Describe());
        Assert.Equal(0, run.GetProperty("violations").GetArrayLength());
    }

    [Fact]
    public void BenchRigIsRefusedWithAReason()
    {
        var r = HwFenceProcess.Run(TimeSpan.FromSeconds(30), "hil", "run", "--rig", Hil("rigs", "example-bench.yaml"), Hil("scenarios", "kill-host.yaml"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("real bench", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedScenarioExitsTwoNamingFileAndLine()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"hil-bad-{Environment.ProcessId}.yaml");
        File.WriteAllText(bad, "name: bad\nsteps:\n  - wait: steady\n  - kill: nobody\n");
        try
        {
            var r = HwFenceProcess.Run(TimeSpan.FromSeconds(30), "hil", "run", "--rig", Hil("rigs", "emulated.yaml"), bad);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{bad}:4: step 2", r.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
        }
    }
}

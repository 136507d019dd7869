using System.Text.Json;

namespace HwFence.Cli.Tests.Demo;

/// <summary>
/// The main job, exactly as a newcomer runs it: three real node processes, the emulator over
/// iSCSI, pty cables, a SIGKILL of the host, failover, failback, and the independent check.
/// </summary>
[Collection(HwFence.Cli.Tests.ClusterFlows.LiveClusterCollection.Name)]
public class DemoTests
{
    [Fact]
    public void DemoFailsOverAndBackAndEveryInvariantHolds()
    {
        var r = HwFenceProcess.Run(TimeSpan.FromMinutes(4), "demo", "--json");
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Describe() => $"exit {r.ExitCode}\nstdout:\n{r.Out}\nstderr:\n{r.Error}";

        Assert.True(r.ExitCode == 0, Describe());
        string Kind(JsonElement e) => e.TryGetProperty("kind", out var k) ? k.GetString() ?? "" : "";
        string Source(JsonElement e) => e.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "";

        // The story the issue asks for, in order: fence before the backup starts, then failover, then failback.
        int fence = lines.FindIndex(e => Kind(e) == "FenceSucceeded");
        int failover = lines.FindIndex(e => Kind(e) == "FailoverCompleted");
        int failback = lines.FindIndex(e => Kind(e) == "FailbackCompleted");
        Assert.True(fence >= 0 && failover > fence && failback > failover, Describe());

        // The independent checker's verdicts.
        for (int i = 1; i <= 5; i++)
        {
            Assert.Contains(lines, e => Source(e) == "chk" && Kind(e) == $"invariant {i}" && e.GetProperty("message").GetString() == "held");
        }

        Assert.Contains(lines, e => Source(e) == "chk" && Kind(e) == "failover" && e.GetProperty("message").GetString()!.Contains("total"));
        Assert.Contains(lines, e => Source(e) == "chk" && Kind(e) == "PASS");

        // It cleans up after itself: no working directory left behind.
        var workDir = lines.Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : null)
            .FirstOrDefault(m => m is not null && m.StartsWith("working directory ", StringComparison.Ordinal))?["working directory ".Length..];
        Assert.NotNull(workDir);
        Assert.False(Directory.Exists(workDir), $"{workDir} was left behind");
    }

    [Fact]
    public void DemoRejectsABadNodeCount()
    {
        var r = HwFenceProcess.Run(TimeSpan.FromMinutes(1), "demo", "--nodes", "9");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--nodes 9 must be 2-5", r.Error);
    }
}

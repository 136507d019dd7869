using System.Diagnostics;
using System.Text.Json;
using HwFence.Cli.Tests.Demo;

namespace HwFence.Cli.Tests.Hil;

/// <summary>
/// The safety flows of issue 5 with real node processes and real signals, judged by the
/// independent checker: a frozen host that wakes up after it was fenced, a host that loses its
/// disk path, and a LAN+serial cut while the drive pulse still beats (Partitioned, never failover).
/// </summary>
[Collection(HwFence.Cli.Tests.ClusterFlows.LiveClusterCollection.Name)]
public class HilSafetyScenarioTests
{
    private static string Hil(params string[] parts) => Path.Combine([HilScenarioParserTests.RepoRoot(), "hil", .. parts]);

    private static JsonElement RunScenario(string scenario, bool keep = false)
    {
        string[] args = ["hil", "run", "--json", "--rig", Hil("rigs", "emulated.yaml"), Hil("scenarios", scenario + ".yaml")];
        var r = HwFenceProcess.Run(TimeSpan.FromSeconds(120), keep ? [.. args, "--keep"] : args);
        string Describe() => $"exit {r.ExitCode}\nstdout:\n{r.Out}\nstderr:\n{r.Error}";
        Assert.True(r.ExitCode == 0, Describe());
        var run = JsonDocument.Parse(r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
        Assert.Equal(scenario, run.GetProperty("scenario").GetString());
        Assert.True(run.GetProperty("passed").GetBoolean(), Describe());
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("ok").GetBoolean(), Describe()));
        Assert.Equal(0, run.GetProperty("violations").GetArrayLength());
        return run;
    }

    [Fact]
    public void FrozenHostIsFencedAndSelfFencesWhenItWakes()
    {
        // SIGSTOP past deadtime → a backup fences it (PREEMPT) and takes over → SIGCONT → the woken
        // host finds its key gone, stops its application and fences itself; the checker verifies
        // from the disk that no write of the old host landed after the fence.
        var run = RunScenario("freeze-host");
        Assert.Single(run.GetProperty("failovers").EnumerateArray());
    }

    [Fact]
    public void HostThatLosesItsDiskPathStopsServingBeforeABackupTakesOver()
    {
        var run = RunScenario("host-loses-disk");
        Assert.Contains(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("detail").GetString()!.Contains("application-stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void SurvivorWithoutQuorumNeverTakesOverAndBothReturnedNodesBringTheAppBack()
    {
        // Host and first backup SIGKILLed (with everything they started): the lone survivor holds
        // 1 of 3 votes and must not start the application; after both restart it runs on n1 again.
        var run = RunScenario("both-die-and-return");
        var f = Assert.Single(run.GetProperty("failovers").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, f.GetProperty("successor").ValueKind);
        Assert.Contains("below the quorum of 2", f.GetProperty("not_required").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BackupKilledWhileFencingLeavesNoSplitBrainAndNoLostWrite()
    {
        // The first backup dies at fence-started (sometimes after it already took over): nothing
        // it acknowledged may be lost, no node without quorum may start the application, and its
        // orphaned application must not outlive its machine (invariants 1 and 5 from the disk).
        var run = RunScenario("backup-dies-during-failover");
        Assert.NotEmpty(run.GetProperty("failovers").EnumerateArray());
    }

    [Fact]
    public void HostThatLosesItsGroupsQuorumStopsAndResumesWhenItReturns()
    {
        // Both backups of the three-owner group SIGKILLed: the host, hearing nobody, withholds Dead
        // (it is isolated) but counts the silent owners as absent — 1 of 3 — and stops the
        // application; when they return it has quorum again and resumes it.
        var run = RunScenario("host-loses-quorum");
        Assert.Empty(run.GetProperty("failovers").EnumerateArray());
        Assert.Contains(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("detail").GetString()!.Contains("lost quorum (1 of 3 owners present)", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryOwnerDiesAtOnceAndTheHostResynchronisesBeforeItStartsAgain()
    {
        // Registration case 4: n1's database names n1 as HOST although n1 was down. After the
        // restart it must resynchronise with the other owners before the application starts.
        var run = RunScenario("all-die-and-return", keep: true);
        string dir = run.GetProperty("work_dir").GetString()!;
        try
        {
            var lines = File.ReadAllLines(Path.Combine(dir, "n1", "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            int resync = lines.FindIndex(e => e.GetProperty("kind").GetString() == "resync-completed"
                && e.GetProperty("message").GetString()!.Contains("HOST named n1 although it was down", StringComparison.Ordinal));
            Assert.True(resync >= 0, "no registration resync on n1 after every owner died");
            int firstStart = lines.FindIndex(e => e.GetProperty("kind").GetString() == "application-started");
            int restart = lines.FindIndex(firstStart + 1, e => e.GetProperty("kind").GetString() == "application-started");
            Assert.True(restart > resync, "n1 started the application again before it resynchronised");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [RequiresNftFact]
    public void LanAndSerialCutWhileThePulseBeatsIsAPartitionNeverAFailover()
    {
        var run = RunScenario("cut-lan-and-serial");
        Assert.Empty(run.GetProperty("failovers").EnumerateArray());
    }
}

/// <summary>The LAN cut of the emulated rig is an nftables rule in a table of its own; skip with the reason where nft cannot run.</summary>
public sealed class RequiresNftFactAttribute : FactAttribute
{
    public RequiresNftFactAttribute()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("nft", "list tables") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Skip = $"nft cannot manage tables here (needs root and nf_tables): {err.Trim()}";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Skip = $"nft is not installed (Debian package nftables): {e.Message}";
        }
    }
}

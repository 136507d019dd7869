using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HwFence.Bench.Failover;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness soak [--minutes M] [--no-stress] [--out DIR]</c>:
/// the false-failover half of issue 7's benchmark. The emulated three-node cluster runs steady for
/// M minutes (default 10) with nothing killed or cut, while <c>stress-ng --cpu N</c> saturates every
/// core and every node daemon runs with a tiny gen0 budget (<c>DOTNET_GCgen0size</c>) so that it
/// collects garbage hundreds of times a second instead of a few times a minute. Any fence or
/// failover in that time is false. Writes soak.json and soak.md.
/// </summary>
/// <remarks>
/// GC pressure through the runtime's own knob rather than code in the daemon: the daemon stays the
/// product as shipped, and every allocation it makes (heartbeats are allocation-free; replication,
/// logging and the status file are not) triggers far more collections than in production.
/// </remarks>
internal static class SoakHarness
{
    /// <summary>gen0 budget for the nodes: 256 KiB (the default is several MiB, sized to the cache).</summary>
    private const string Gen0Size = "0x40000";

    public static int Run(string[] args)
    {
        double minutes = 10;
        bool stress = true;
        string repo = FailoverHarness.RepoRoot();
        string outDir = Path.Combine(repo, "bench", "results");
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--minutes" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out minutes) && minutes > 0:
                    i++;
                    break;
                case "--no-stress":
                    stress = false;
                    break;
                case "--out" when i + 1 < args.Length:
                    outDir = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"soak: unexpected '{args[i]}'; usage: soak [--minutes M (>0, default 10)] [--no-stress] [--out DIR]");
                    return 2;
            }
        }

        string scenario = Path.Combine(Path.GetTempPath(), $"hwfence-soak-{Environment.ProcessId}.yaml");
        string hold = $"{Math.Round(minutes * 60)}s";
        File.WriteAllText(scenario, $"""
            name: soak
            description: Steady cluster, nothing killed or cut, for {hold}; any fence or failover is false.
            steps:
              - wait: steady
              - expect-not: {"{"} event: fence-started, during: {hold} {"}"}
              - expect-not: {"{"} event: failover, during: 1s {"}"}
            """);

        Process? load = null;
        if (stress)
        {
            try
            {
                load = Process.Start(new ProcessStartInfo("stress-ng", ["--cpu", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "--timeout", $"{Math.Round(minutes * 60) + 60}s", "--quiet"]) { UseShellExecute = false });
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Console.Error.WriteLine($"soak: cannot start stress-ng ({e.Message}); install it (apt-get install stress-ng) or pass --no-stress");
                return 1;
            }
        }

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "hwfence.dll"), "hil", "run", "--json", "--keep", "--rig", Path.Combine(repo, "hil", "rigs", "emulated.yaml"), scenario })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_GCgen0size"] = Gen0Size;
        var started = DateTimeOffset.UtcNow;
        JsonElement run;
        string workDir;
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string? line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (line is null)
            {
                Console.Error.WriteLine($"soak: hwfence hil run printed nothing; stderr:\n{stderr.Result}");
                return 1;
            }

            run = JsonDocument.Parse(line).RootElement.Clone();
            workDir = run.GetProperty("work_dir").GetString() ?? "";
        }
        finally
        {
            if (load is { HasExited: false })
            {
                load.Kill(entireProcessTree: true);
            }

            File.Delete(scenario);
        }

        // The nodes' own event logs: fences, failovers, stalls the detector absorbed, suspicions.
        int fences = 0, failovers = 0, stalls = 0, suspect = 0, partitions = 0;
        foreach (string log in Directory.Exists(workDir) ? Directory.GetFiles(workDir, "events.jsonl", SearchOption.AllDirectories) : [])
        {
            foreach (string l in File.ReadLines(log))
            {
                fences += l.Contains("\"kind\":\"fence-started\"", StringComparison.Ordinal) ? 1 : 0;
                failovers += l.Contains("\"kind\":\"failover-completed\"", StringComparison.Ordinal) ? 1 : 0;
                stalls += l.Contains("was not scheduled for", StringComparison.Ordinal) ? 1 : 0;
                suspect += l.Contains("\u2192 Suspect", StringComparison.Ordinal) || l.Contains("\\u2192 Suspect", StringComparison.Ordinal) ? 1 : 0;
                partitions += l.Contains("\"kind\":\"partition-alarm\"", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        bool passed = run.GetProperty("passed").GetBoolean();
        var summary = new
        {
            minutes,
            stress = stress ? $"stress-ng --cpu {Environment.ProcessorCount}" : "none",
            gc = $"DOTNET_GCgen0size={Gen0Size} in every node daemon",
            rig = "hil/rigs/emulated.yaml: 3 node processes, keepalive 100ms, deadtime 600ms",
            false_fences = fences,
            false_failovers = failovers,
            suspect_verdicts = suspect,
            partition_alarms = partitions,
            detector_stalls_absorbed = stalls,
            scenario_passed = passed,
            records_acknowledged = run.TryGetProperty("acknowledged", out var acked) ? acked : default(JsonElement?),
            violations = run.GetProperty("violations"),
            measured = started,
            wall_seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds),
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            evidence = workDir,
        };
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "soak.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# False-failover soak");
        md.AppendLine();
        md.AppendLine(inv, $"`dotnet run -c Release --project bench/HwFence.Bench -- harness soak --minutes {minutes}` — {summary.rig}; {summary.machine}; {started:yyyy-MM-dd HH:mm} UTC; {summary.wall_seconds} s.");
        md.AppendLine(inv, $"Load: {summary.stress} for the whole run, and {summary.gc} (a gen0 collection every few hundred KiB allocated).");
        md.AppendLine();
        md.AppendLine("| what | count |");
        md.AppendLine("|---|---|");
        md.AppendLine(inv, $"| false fences (fence-started with nothing killed or cut) | **{fences}** |");
        md.AppendLine(inv, $"| false failovers | **{failovers}** |");
        md.AppendLine(inv, $"| Suspect verdicts (all paths of a peer Late at once) | {suspect} |");
        md.AppendLine(inv, $"| partition alarms | {partitions} |");
        md.AppendLine(inv, $"| detector stalls absorbed by the lateness guard | {stalls} |");
        md.AppendLine();
        md.AppendLine(inv, $"Scenario {(passed ? "passed" : "FAILED")}; the independent checker found {run.GetProperty("violations").GetArrayLength()} invariant violations.");
        File.WriteAllText(Path.Combine(outDir, "soak.md"), md.ToString());
        Console.Write(md.ToString());
        return passed && fences == 0 && failovers == 0 ? 0 : 1;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace HwFence.Bench.Failover;

/// <summary>
/// <c>dotnet run --project bench/HwFence.Bench -- harness failover [--kills K] [--seed S] [--out DIR]</c>: runs the kill-host
/// scenario K times (default 50) with the real <c>hwfence hil run</c> on the emulated rig, and
/// writes failover.json and failover.md with p50/p95/p99 of detection, fence, start and total
/// (as the independent checker measures them) and the count of false failovers (failover events
/// beyond the failovers the rig caused).
/// </summary>
internal static class FailoverHarness
{
    public static int Run(string[] args)
    {
        int kills = 50;
        int seed = 1;
        string repo = RepoRoot();
        string outDir = Path.Combine(repo, "bench", "results");
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--kills" when i + 1 < args.Length && int.TryParse(args[i + 1], out kills) && kills > 0:
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out seed):
                    i++;
                    break;
                case "--out" when i + 1 < args.Length:
                    outDir = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"failover: unexpected '{args[i]}'; usage: failover [--kills K (>0, default 50)] [--seed S] [--out DIR]");
                    return 2;
            }
        }

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "hwfence.dll"), "hil", "run", "--json", "--repeat", kills.ToString(CultureInfo.InvariantCulture),
                     "--seed", seed.ToString(CultureInfo.InvariantCulture), "--rig", Path.Combine(repo, "hil", "rigs", "emulated.yaml"),
                     Path.Combine(repo, "hil", "scenarios", "kill-host.yaml"),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        var started = DateTimeOffset.UtcNow;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var runs = new List<JsonElement>();
        while (p.StandardOutput.ReadLine() is { } line)
        {
            var run = JsonDocument.Parse(line).RootElement.Clone();
            runs.Add(run);
            Console.Error.WriteLine($"run {runs.Count}/{kills}: {(run.GetProperty("passed").GetBoolean() ? "pass" : "FAIL")}");
        }

        p.WaitForExit();
        if (runs.Count == 0)
        {
            Console.Error.WriteLine($"failover: hwfence hil run gave no result (exit {p.ExitCode}): {stderr.Result}");
            return 1;
        }

        var phases = new[] { "detection", "fence", "start", "total" };
        var samples = phases.ToDictionary(x => x, _ => new List<double>());
        int falseFailovers = 0, failedRuns = 0;
        var falseFailoverEvidence = new List<string>();
        foreach (var run in runs)
        {
            failedRuns += run.GetProperty("passed").GetBoolean() ? 0 : 1;
            int caused = 0;
            if (run.GetProperty("failovers") is { ValueKind: JsonValueKind.Array } fos)
            {
                foreach (var f in fos.EnumerateArray().Where(f => f.GetProperty("successor").ValueKind == JsonValueKind.Number))
                {
                    caused++;
                    foreach (string ph in phases)
                    {
                        if (f.GetProperty(ph + "_ms") is { ValueKind: JsonValueKind.Number } v)
                        {
                            samples[ph].Add(v.GetDouble());
                        }
                    }
                }
            }

            int extra = Math.Max(0, run.GetProperty("failover_events").GetInt32() - caused);
            falseFailovers += extra;
            if (extra > 0 && run.TryGetProperty("failover_event_lines", out var lines))
            {
                falseFailoverEvidence.Add($"run seed {run.GetProperty("seed")}: {string.Join(" | ", lines.EnumerateArray().Select(l => l.GetString()))}");
            }
        }

        Directory.CreateDirectory(outDir);
        var summary = new
        {
            scenario = "kill-host",
            rig = "hil/rigs/emulated.yaml: 3 node processes, keepalive 100ms, deadtime 600ms",
            kills,
            seed,
            runs = runs.Count,
            failed_runs = failedRuns,
            false_failovers = falseFailovers,
            false_failover_evidence = falseFailoverEvidence,
            measured = DateTimeOffset.UtcNow,
            wall_seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds),
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            phases_ms = phases.ToDictionary(x => x, x => new
            {
                n = samples[x].Count,
                p50 = Round(Pct(samples[x], 50)),
                p95 = Round(Pct(samples[x], 95)),
                p99 = Round(Pct(samples[x], 99)),
                max = Round(samples[x].Count == 0 ? null : samples[x].Max()),
            }),
        };
        File.WriteAllText(Path.Combine(outDir, "failover.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# Failover benchmark (kill-host)");
        md.AppendLine();
        md.AppendLine(inv, $"`dotnet run --project bench/HwFence.Bench -- harness failover --kills {kills} --seed {seed}` — {runs.Count} runs of hil/scenarios/kill-host.yaml on {summary.rig}, {summary.machine}, {summary.measured:yyyy-MM-dd HH:mm} UTC, {summary.wall_seconds} s.");
        md.AppendLine("Phases as the independent invariant checker measures them from the nodes' rig-events.jsonl: detection = SIGKILL → the successor starts fencing; fence = fence started → completed; start = fence completed → application started; total = SIGKILL → application started.");
        md.AppendLine();
        md.AppendLine("| phase | n | p50 ms | p95 ms | p99 ms | max ms |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (string ph in phases)
        {
            var s = samples[ph];
            md.AppendLine(inv, $"| {ph} | {s.Count} | {F(Pct(s, 50))} | {F(Pct(s, 95))} | {F(Pct(s, 99))} | {F(s.Count == 0 ? null : s.Max())} |");
        }

        md.AppendLine();
        md.AppendLine(inv, $"False failovers (failover events beyond those the rig caused): **{falseFailovers}**. Failed runs: **{failedRuns}**.");
        foreach (string e in falseFailoverEvidence)
        {
            md.AppendLine(inv, $"- {e}");
        }
        if (kills < 100)
        {
            md.AppendLine();
            md.AppendLine(inv, $"With {runs.Count} samples, p95/p99 are the largest samples (nearest rank), not stable tail estimates.");
        }

        File.WriteAllText(Path.Combine(outDir, "failover.md"), md.ToString());
        Console.Write(md.ToString());
        return failedRuns == 0 ? 0 : 1;
    }

    /// <summary>Nearest-rank percentile; null without samples.</summary>
    private static double? Pct(List<double> samples, int pct)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        var sorted = samples.Order().ToList();
        int rank = (int)Math.Ceiling(pct / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 1) : null;

    private static string F(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "—";

    internal static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}

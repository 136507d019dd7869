using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace HwFence.Cli.Hil;

/// <summary>
/// <c>hwfence hil run --rig RIG.yaml SCENARIO…</c>: runs each scenario (hil/scenarios/*.yaml) on a
/// fresh rig, <c>--repeat</c> times with seeded random timing, then checks the five invariants
/// independently. Exit 0 only if every run passed; 1 = a failed or skipped run; 2 = usage or a bad file.
/// </summary>
internal static class HilCommand
{
    public static Command Create()
    {
        var hil = new Command("hil", "Hardware-in-the-loop scenarios: fault scripts against a rig, judged by the independent invariant checker.");
        var run = new Command("run", "Run scenario files against a rig. Exit 0 = every run passed, 1 = a run failed or was skipped, 2 = usage or a malformed file.");
        var rig = new Option<string>("--rig") { Description = "The rig file (hil/rigs/emulated.yaml).", Required = true };
        var repeat = new Option<int>("--repeat") { Description = "Runs per scenario, each on a fresh rig.", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random delays before each fault (run i uses seed + i).", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "One JSON object per run on stdout instead of text." };
        var keep = new Option<bool>("--keep") { Description = "Keep every run's working directory (failed runs are always kept)." };
        var scenarios = new Argument<string[]>("scenario") { Description = "Scenario files.", Arity = ArgumentArity.OneOrMore };
        run.Options.Add(rig);
        run.Options.Add(repeat);
        run.Options.Add(seed);
        run.Options.Add(json);
        run.Options.Add(keep);
        run.Arguments.Add(scenarios);
        run.SetAction(async (pr, ct) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            return await RunAsync(pr.GetValue(rig)!, pr.GetValue(scenarios)!, pr.GetValue(repeat), pr.GetValue(seed), pr.GetValue(json), pr.GetValue(keep), stop.Token);
        });
        hil.Subcommands.Add(run);
        return hil;
    }

    private static async Task<int> RunAsync(string rigPath, string[] files, int repeat, int seed, bool json, bool keep, CancellationToken ct)
    {
        if (repeat < 1)
        {
            Console.Error.WriteLine($"hwfence hil run: --repeat {repeat} must be at least 1");
            return 2;
        }

        HilRigConfig config;
        List<HilScenario> scenarios;
        try
        {
            config = HilRigConfig.Load(rigPath);
            scenarios = files.Select(HilScenarioParser.Load).ToList();
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"hwfence hil run: {e.Message}");
            return 2;
        }

        if (config.Kind != "emulated")
        {
            Console.Error.WriteLine($"hwfence hil run: {rigPath} describes a real bench (kind: {config.Kind}); this runner drives only the emulated rig. " +
                                    "On a wired bench, run the scenarios by hand with `hwfence node run` on each machine and feed the logs to the checker (see hil/README.md).");
            return 2;
        }

        Action<string> say = json ? _ => { } : Console.WriteLine;
        int passed = 0, failed = 0, skipped = 0;
        foreach (var scenario in scenarios)
        {
            for (int rep = 1; rep <= repeat; rep++)
            {
                int runSeed = seed + rep - 1;
                say($"{scenario.Name} run {rep}/{repeat} (seed {runSeed}): {scenario.Description}");
                HilRunResult result;
                try
                {
                    result = await new HilRunner(config, keep, say).RunAsync(scenario, rep, runSeed, ct);
                }
                catch (OperationCanceledException)
                {
                    Console.Error.WriteLine("hwfence hil run: interrupted; every node was stopped");
                    return 130;
                }

                if (result.Skipped)
                {
                    skipped++;
                }
                else if (result.Passed)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }

                if (json)
                {
                    Console.WriteLine(ToJson(result));
                }
                else
                {
                    Print(result);
                }
            }
        }

        say($"hil: {passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && skipped == 0 ? 0 : 1;
    }

    private static void Print(HilRunResult r)
    {
        if (r.Skipped)
        {
            Console.WriteLine($"  SKIPPED: {r.SkipReason}");
            return;
        }

        if (r.Failure is not null)
        {
            Console.WriteLine($"  step failed: {r.Failure}");
        }

        if (r.Report is { } rep)
        {
            foreach (var f in rep.Failovers)
            {
                Console.WriteLine($"  failover n{f.FailedHost} → {(f.Successor is int s ? $"n{s}" : "nobody")}: detection {Ms(f.Detection)}, fence {Ms(f.Fence)}, start {Ms(f.Start)}, total {Ms(f.Total)}{(f.NotRequired is null ? "" : $" (none owed: {f.NotRequired})")}");
            }

            foreach (string line in rep.ToString().Split(Environment.NewLine))
            {
                Console.WriteLine($"  checker: {line.Trim()}");
            }
        }

        Console.WriteLine($"  {(r.Passed ? "PASS" : "FAIL")}{(r.Passed ? "" : $" (evidence kept in {r.WorkDir})")}");
    }

    private static string Ms(TimeSpan? t) => t is { } v ? $"{v.TotalMilliseconds:0} ms" : "—";

    private static double? MsValue(TimeSpan? t) => t?.TotalMilliseconds;

    /// <summary>One run as a JSON object (the benchmark reads <c>failovers</c>).</summary>
    internal static string ToJson(HilRunResult r) => JsonSerializer.Serialize(new
    {
        scenario = r.Scenario,
        repetition = r.Repetition,
        seed = r.Seed,
        passed = r.Passed,
        skipped = r.SkipReason,
        failure = r.Failure,
        work_dir = r.WorkDir, // kept: failed runs, and every run with --keep
        steps = r.Steps.Select(s => new { index = s.Index, line = s.Line, step = s.Step, ok = s.Ok, detail = s.Detail, elapsed_ms = Math.Round(s.ElapsedMs) }),
        failovers = r.Report?.Failovers.Select(f => new
        {
            failed_host = f.FailedHost,
            successor = f.Successor,
            detection_ms = MsValue(f.Detection),
            fence_ms = MsValue(f.Fence),
            start_ms = MsValue(f.Start),
            total_ms = MsValue(f.Total),
            not_required = f.NotRequired,
        }),
        failover_events = r.FailoverEvents,
        failover_event_lines = r.FailoverEventLines,
        violations = r.Report?.Violations.Select(v => v.ToString()),
        input_errors = r.Report?.InputErrors,
        records_on_disk = r.Report?.RecordsOnDisk,
        acknowledged = r.Report?.AcknowledgedWrites,
    });
}

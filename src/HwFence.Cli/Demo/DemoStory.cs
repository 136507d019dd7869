using System.Text.Json;
using HwFence.Cli.Node;
using HwFence.Cluster.Events;
using HwFence.Rig;
using HwFence.Scsi;

namespace HwFence.Cli.Demo;

/// <summary>The demo's script: steady state → SIGKILL of the host → failover → restart → failback → check.</summary>
internal sealed class DemoStory(DemoRig rig, DemoNarrator narrator, bool verbose)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        narrator.Phase($"Starting {rig.NodeCount} nodes (separate processes)");
        foreach (var n in rig.Nodes)
        {
            n.Start();
            narrator.Rig($"started {n.Name} (pid {n.Pid})");
        }

        narrator.Phase("Steady state: the application runs on its primary n1");
        const int primary = 1;
        var host = await WaitForAsync(() => HostRunning() == primary ? primary : null, TimeSpan.FromSeconds(60), "the application to run on its primary n1", ct);
        if (host is null)
        {
            return Fail("the application never settled on its primary");
        }

        await WaitForAsync(() => AckCount() >= 25 ? (int?)1 : null, TimeSpan.FromSeconds(20), "25 acknowledged records", ct);
        narrator.Rig($"{AckCount()} records acknowledged so far by {NodeName(host.Value)}");

        narrator.Phase($"Crash: SIGKILL of the host {NodeName(host.Value)}");
        var victim = rig.Nodes[host.Value - 1];
        var killedAt = DateTimeOffset.UtcNow;
        victim.Kill();
        rig.RecordFault(victim.Id, RigFaults.Kill, killedAt);
        narrator.Rig($"SIGKILL {victim.Name} — every path to it goes silent now", killedAt);

        var successor = await WaitForAsync(() => HostRunning() is int h && h != victim.Id ? h : null, TimeSpan.FromSeconds(30), "a backup to take over", ct);
        if (successor is null)
        {
            return Fail("no backup took over");
        }

        narrator.Rig($"{NodeName(successor.Value)} hosts the application after {(DateTimeOffset.UtcNow - killedAt).TotalMilliseconds:0} ms (see the summary for the split)");
        int before = AckCount();
        await WaitForAsync(() => AckCount() >= before + 25 ? (int?)1 : null, TimeSpan.FromSeconds(20), "records from the new host", ct);

        narrator.Phase($"The old host {victim.Name} restarts; automatic failback");
        victim.Start();
        rig.RecordFault(victim.Id, RigFaults.Restore, DateTimeOffset.UtcNow);
        narrator.Rig($"restarted {victim.Name} (pid {victim.Pid})");
        var back = await WaitForAsync(() => HostRunning() == victim.Id ? (int?)victim.Id : null, TimeSpan.FromSeconds(60), "failback to the primary", ct);
        if (back is null)
        {
            return Fail("the application did not fail back to its primary");
        }

        before = AckCount();
        await WaitForAsync(() => AckCount() >= before + 25 ? (int?)1 : null, TimeSpan.FromSeconds(20), "records after failback", ct);

        narrator.Phase("Stopping the cluster");
        rig.StopAll(TimeSpan.FromSeconds(5));

        PumpAll();
        return await CheckAsync(ct);
    }

    private async Task<int> CheckAsync(CancellationToken ct)
    {
        narrator.Phase("Independent check of the five invariants (records read back from the disk, nodes' logs)");
        await using var device = new ScsiDevice(rig.Disk.Connect("iqn.2026-01.org.hwfence:demo-checker"));
        await device.ClearUnitAttentionsAsync(ct);
        var report = await new InvariantChecker().CheckAsync(device, rig.EvidencePaths(), rig.AckPaths(), ct);
        foreach (var f in report.Failovers)
        {
            narrator.Emit(f.FaultAt, "chk", "failover",
                $"n{f.FailedHost} → {(f.Successor is int s ? $"n{s}" : "nobody")}: detection {Ms(f.Detection)}, fence {Ms(f.Fence)}, start {Ms(f.Start)}, total {Ms(f.Total)}");
        }

        narrator.Emit(DateTimeOffset.UtcNow, "chk", "records", $"{report.AcknowledgedWrites} acknowledged, {report.RecordsOnDisk} found on disk");
        for (int i = 1; i <= 5; i++)
        {
            narrator.Emit(DateTimeOffset.UtcNow, "chk", $"invariant {i}", report.Held(i) ? "held" : "VIOLATED", report.Held(i) ? "green" : "red");
        }

        foreach (var v in report.Violations)
        {
            narrator.Emit(v.At ?? DateTimeOffset.UtcNow, "chk", "violation", v.ToString(), "red");
        }

        foreach (var e in report.InputErrors)
        {
            narrator.Emit(DateTimeOffset.UtcNow, "chk", "input", e, "red");
        }

        narrator.Emit(DateTimeOffset.UtcNow, "chk", report.Passed ? "PASS" : "FAIL", report.ToString().Split(Environment.NewLine)[0], report.Passed ? "green" : "red");
        if (rig.Keep)
        {
            narrator.Rig($"kept {rig.WorkDir}: cluster.yaml, n*.log, n*/events.jsonl, acks-*.jsonl, shared0.img");
        }

        return report.Passed ? 0 : 1;
    }

    private static string Ms(TimeSpan? t) => t is { } v ? $"{v.TotalMilliseconds:0} ms" : "—";

    private int Fail(string why)
    {
        PumpAll();
        narrator.Emit(DateTimeOffset.UtcNow, "rig", "FAIL", $"{why}; node logs are in {rig.WorkDir} (run with --keep to keep them)", "red");
        return 1;
    }

    private string NodeName(int id) => rig.Nodes[id - 1].Name;

    private async Task<int?> WaitForAsync(Func<int?> probe, TimeSpan limit, string what, CancellationToken ct)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < until)
        {
            PumpAll();
            if (rig.Nodes.FirstOrDefault(n => n.ExitedUnexpectedly) is { } dead)
            {
                narrator.Emit(DateTimeOffset.UtcNow, "rig", "FAIL", $"{dead.Name} exited on its own (code {dead.ExitCode}) while waiting for {what}; last lines of its log:", "red");
                foreach (var line in dead.LastLogLines(15))
                {
                    narrator.Emit(DateTimeOffset.UtcNow, dead.Name, "log", line, "grey");
                }

                return null;
            }

            if (probe() is int r)
            {
                return r;
            }

            await Task.Delay(Poll, ct);
        }

        narrator.Emit(DateTimeOffset.UtcNow, "rig", "timeout", $"waited {limit.TotalSeconds:0} s for {what}", "red");
        return null;
    }

    private void PumpAll()
    {
        foreach (var n in rig.Nodes)
        {
            narrator.Pump(n.Name, Path.Combine(rig.StateDir(n.Id), "events.jsonl"), Interesting);
        }
    }

    /// <summary>Without --verbose: verdicts, alarms, fencing, failover, applications; not every path flap or local scheduling stall.</summary>
    private bool Interesting(ClusterEvent e) =>
        verbose || (e.Kind is not (ClusterEventKind.PathChanged or ClusterEventKind.ApplicationRegistered or ClusterEventKind.MarkerSaved)
                    && !(e.Kind == ClusterEventKind.VerdictChanged && e.Peer is null));

    /// <summary>The node whose own status says it runs the application (a live process, not a claim in the database).</summary>
    private int? HostRunning()
    {
        foreach (var n in rig.Nodes.Where(n => n.IsRunning && !n.IsFrozen))
        {
            string path = Path.Combine(rig.StateDir(n.Id), "status.json");
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                foreach (var app in doc.RootElement.GetProperty("Cluster").GetProperty("Applications").EnumerateArray())
                {
                    if (app.GetProperty("Tag").GetString() == DemoRig.AppTag && app.GetProperty("State").GetString() == "running")
                    {
                        return n.Id;
                    }
                }
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not written yet, or being replaced: ask again at the next poll.
            }
        }

        return null;
    }

    private int AckCount() => rig.AckPaths().Sum(p =>
    {
        try
        {
            return File.ReadLines(p).Count();
        }
        catch (IOException)
        {
            return 0;
        }
    });
}

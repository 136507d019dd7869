using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using HwFence.Cli.Node;
using HwFence.Cluster;
using HwFence.Cluster.Events;
using HwFence.Rig;
using HwFence.Scsi;

namespace HwFence.Cli.Demo;

/// <summary>
/// <c>hwfence demo</c>: starts a three-node cluster on this machine (separate processes, the
/// emulator as the shared disk over iSCSI, pty null-modem cables, LAN on loopback), kills the
/// application's host with SIGKILL, narrates detection, fence and failover, restarts the old host
/// and narrates the failback, then checks the five invariants of design.md independently.
/// Exit 0 only when all five held.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo",
            "Run a three-node HwFence cluster on this machine, kill the application's host, and show detection, fencing, failover and failback. " +
            "Exit 0 = every invariant held, 1 = a violation or a step did not happen in time, 2 = usage.");
        var json = new Option<bool>("--json") { Description = "One JSON object per line (events, then the summary) instead of text." };
        var keep = new Option<bool>("--keep") { Description = "Keep the working directory (logs, config, disk image) for inspection." };
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes (2-5).", DefaultValueFactory = _ => 3 };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Narrate every path event, not only verdicts, fencing and failover." };
        command.Options.Add(json);
        command.Options.Add(keep);
        command.Options.Add(nodes);
        command.Options.Add(verbose);
        command.SetAction(async (pr, ct) =>
        {
            int n = pr.GetValue(nodes);
            if (n is < 2 or > 5)
            {
                Console.Error.WriteLine($"hwfence demo: --nodes {n} must be 2-5");
                return 2;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            return await RunAsync(n, pr.GetValue(json), pr.GetValue(keep), pr.GetValue(verbose), stop.Token);
        });
        return command;
    }

    private static async Task<int> RunAsync(int nodeCount, bool json, bool keep, bool verbose, CancellationToken ct)
    {
        var narrator = new DemoNarrator(DateTimeOffset.UtcNow, json);
        DemoRig? rig = null;
        try
        {
            narrator.Phase("Setting up the rig");
            rig = await DemoRig.CreateAsync(nodeCount, keep, ct);
            narrator.Rig($"working directory {rig.WorkDir}");
            narrator.Rig($"shared disk: HwFence emulator at {rig.DiskAddress} ({DemoRig.DiskBytes >> 20} MiB, sbd-style slots initialised)");
            foreach (var c in rig.Cables)
            {
                narrator.Rig($"null-modem cable {c.PathA} <-> {c.PathB}");
            }

            var story = new DemoStory(rig, narrator, verbose);
            return await story.RunAsync(ct);
        }
        catch (OperationCanceledException)
        {
            narrator.Rig("interrupted: stopping every node and removing the rig");
            return 130;
        }
        finally
        {
            if (rig is not null)
            {
                await rig.DisposeAsync();
            }
        }
    }
}

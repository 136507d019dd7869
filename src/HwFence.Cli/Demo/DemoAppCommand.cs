using System.CommandLine;
using System.Globalization;
using System.Text;
using HwFence.Emulator.Loopback;
using HwFence.Hal.Processes;
using HwFence.Rig;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Cli.Demo;

/// <summary>
/// <c>hwfence demo-app</c>: the clustered demo application. The node's supervisor starts it on the
/// host; it appends numbered, checksummed records to the shared disk through its own I_T nexus,
/// registered under its node's key, and acknowledges each record only after the disk said GOOD.
/// Exit codes: 0 stopped by SIGTERM, 3 fenced (RESERVATION CONFLICT or key gone), 1 other error.
/// </summary>
internal static class DemoAppCommand
{
    public const int ExitFenced = 3;

    public static Command Create()
    {
        var command = new Command("demo-app",
            "The demo's clustered application: append checksummed records to the shared disk through this node's fenced path. " +
            "Reads HWFENCE_NODE_ID, HWFENCE_INCARNATION, HWFENCE_REGISTRATION_KEY and HWFENCE_INITIATOR_NAME from the environment (the supervisor sets them). " +
            "Exit 0 = stopped, 3 = fenced, 1 = error.");
        var device = new Option<string>("--device") { Description = "Shared disk address (iscsi://…, emu:…, /dev/sg…).", Required = true };
        var ackLog = new Option<string>("--ack-log") { Description = "File that receives one JSON line per acknowledged record; {node} is replaced by this node's name.", Required = true };
        var first = new Option<ulong>("--first-lba") { Description = "First block of the record region.", DefaultValueFactory = _ => RecordRegion.Default.FirstLba };
        var blocks = new Option<int>("--blocks") { Description = "Blocks in the record region.", DefaultValueFactory = _ => RecordRegion.Default.BlockCount };
        var interval = new Option<int>("--interval-ms") { Description = "Pause between records, in milliseconds.", DefaultValueFactory = _ => 20 };
        command.Options.Add(device);
        command.Options.Add(ackLog);
        command.Options.Add(first);
        command.Options.Add(blocks);
        command.Options.Add(interval);
        command.SetAction(async (pr, ct) =>
        {
            try
            {
                return await RunAsync(pr.GetValue(device)!, pr.GetValue(ackLog)!.Replace("{node}", Env("HWFENCE_NODE"), StringComparison.Ordinal), new RecordRegion(pr.GetValue(first), pr.GetValue(blocks)),
                    TimeSpan.FromMilliseconds(pr.GetValue(interval)), ct);
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        });
        return command;
    }

    /// <summary>
    /// False once the node daemon that started us is gone: our parent is no longer the pid the
    /// supervisor put in HWFENCE_NODE_PID (we were re-parented to init or a reaper). Compared with
    /// the daemon's own pid, not with our parent at start-up: the daemon may already have died
    /// while we were starting.
    /// </summary>
    private static bool NodeAlive(int nodePid) => ProcessTree.ParentOf(Environment.ProcessId) == nodePid;

    private static string Env(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set: demo-app runs under the HwFence supervisor");

    private static async Task<int> RunAsync(string address, string ackPath, RecordRegion region, TimeSpan interval, CancellationToken ct)
    {
        int nodeId = int.Parse(Env("HWFENCE_NODE_ID"), CultureInfo.InvariantCulture);
        int nodePid = int.Parse(Env("HWFENCE_NODE_PID"), CultureInfo.InvariantCulture);
        if (!NodeAlive(nodePid))
        {
            Console.Error.WriteLine($"demo-app: node daemon (pid {nodePid}) is already gone; not starting");
            return 1;
        }

        ulong incarnation = ulong.Parse(Env("HWFENCE_INCARNATION"), CultureInfo.InvariantCulture);
        ulong key = ulong.Parse(Env("HWFENCE_REGISTRATION_KEY").Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        await using var disk = await factory.OpenDeviceAsync(address, new ScsiTransportOpenOptions { InitiatorName = Env("HWFENCE_INITIATOR_NAME") }, ct);
        await disk.ClearUnitAttentionsAsync(ct);

        // Join the node's registration without undoing a fence: only while the node's key is
        // registered, and only if no other reservation action slipped in between the look and the
        // REGISTER (PRgeneration moved by exactly our one registration); otherwise withdraw.
        var before = await disk.ReadKeysAsync(ct);
        if (!before.Contains(key))
        {
            Console.Error.WriteLine($"demo-app: key 0x{key:x} of node {nodeId} is not registered on {address}: this node is fenced; not starting");
            return ExitFenced;
        }

        await disk.PersistentReserveOutAsync(PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, key, cancellationToken: ct);
        var after = await disk.ReadKeysAsync(ct);
        if (unchecked(after.Generation - before.Generation) != 1 || !after.Contains(key))
        {
            await disk.TryPersistentReserveOutAsync(PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, 0, cancellationToken: ct);
            Console.Error.WriteLine($"demo-app: reservations changed while joining (generation {before.Generation} → {after.Generation}); withdrawing, not starting");
            return ExitFenced;
        }

        using var acks = new FileAckLog(ackPath);
        var log = new DemoRecordLog(disk, region, nodeId, incarnation, acks, TimeProvider.System);
        ulong next = await log.ResumeAsync(ct);
        Console.WriteLine($"demo-app: node {nodeId} writing records from #{next} to {address} ({region})");
        var payload = new byte[64];
        long iteration = 0;
        while (!ct.IsCancellationRequested)
        {
            // A crashed machine takes its applications with it: when the node daemon that started
            // us is gone (SIGKILL in the rig), stop too instead of living on as an orphan.
            if (++iteration % 25 == 0 && !NodeAlive(nodePid))
            {
                Console.Error.WriteLine($"demo-app: node daemon (pid {nodePid}) is gone; stopping");
                return 1;
            }

            int n = Encoding.ASCII.GetBytes($"node {nodeId} record {log.NextSequence}", payload);
            var result = await log.AppendAsync(payload.AsMemory(0, n), ct);
            if (result.Outcome == DemoAppendOutcome.Fenced)
            {
                Console.Error.WriteLine($"demo-app: record #{result.Sequence} refused — {result.Message}; stopping (fenced)");
                return ExitFenced;
            }

            if (result.Outcome == DemoAppendOutcome.RegionFull)
            {
                Console.WriteLine($"demo-app: record region full after #{result.Sequence - 1}; idling");
                await Task.Delay(Timeout.Infinite, ct);
            }

            if (!result.IsAcknowledged)
            {
                Console.Error.WriteLine($"demo-app: record #{result.Sequence} not acknowledged: {result.Message}");
            }

            await Task.Delay(interval, ct);
        }

        return 0;
    }
}

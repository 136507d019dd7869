using System.CommandLine;
using System.Globalization;
using HwFence.Cli.Commands.Scsi;
using HwFence.Emulator.Loopback;
using HwFence.Heartbeat.DrivePulse;
using HwFence.Scsi.Addressing;

namespace HwFence.Cli.Commands.Heartbeat;

/// <summary>
/// <c>hwfence disk init DEVICE --cluster-id ID</c>: prepares a shared disk for the disk-slot drive
/// pulse (header + one slot per node, as <c>sbd create</c> does). Run once, from one node.
/// </summary>
internal static class DiskCommand
{
    public static Command Create()
    {
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        return Create(factory, Console.Out, Console.Error);
    }

    public static Command Create(ScsiTransportFactory factory, TextWriter output, TextWriter error)
    {
        var runner = new ScsiCliRunner(factory, output, error);
        var disk = new Command("disk", "Shared-disk drive pulse administration.");
        var init = new Command("init", "Write the disk-slot header and empty slots (FUA, then SYNCHRONIZE CACHE). Refuses a disk that already has one unless --force. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(init);
        var clusterId = new Option<string>("--cluster-id") { Description = "The cluster id (hex, as in the cluster configuration); other clusters will refuse the disk.", Required = true };
        var slots = new Option<int>("--slots") { Description = "Node slots (node ids 1..N), 1–255.", DefaultValueFactory = _ => 16 };
        var lba = new Option<ulong>("--lba") { Description = "First block of the slot area (header; node n's slot at +n).", DefaultValueFactory = _ => 0 };
        var interval = new Option<double>("--interval") { Description = "Pulse interval in seconds, recorded in the header.", DefaultValueFactory = _ => 1.0 };
        var deadtime = new Option<double>("--deadtime") { Description = "Deadtime in seconds, recorded in the header.", DefaultValueFactory = _ => 10.0 };
        var force = new Option<bool>("--force") { Description = "Re-initialise a disk that already carries a slot area (wipes every node's pulse: stop the cluster first)." };
        foreach (Option o in new Option[] { clusterId, slots, lba, interval, deadtime, force })
        {
            init.Options.Add(o);
        }

        runner.SetAction(init, options, async call =>
        {
            string idText = call.Parse.GetValue(clusterId)!;
            if (!ulong.TryParse(idText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? idText[2..] : idText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong id))
            {
                call.Runner.Fail(call.Json, call.Address, $"--cluster-id '{idText}' is not a hexadecimal number", ScsiExitCodes.UsageError);
                return ScsiExitCodes.UsageError;
            }

            int count = call.Parse.GetValue(slots);
            if (count is < 1 or > DiskSlotLayout.MaxSlots)
            {
                call.Runner.Fail(call.Json, call.Address, $"--slots {count} must be 1–{DiskSlotLayout.MaxSlots}", ScsiExitCodes.UsageError);
                return ScsiExitCodes.UsageError;
            }

            try
            {
                await call.Device.ReadCapacityAsync(call.CancellationToken).ConfigureAwait(false);
                var header = new DiskSlotHeader(id, count, (int)call.Device.BlockLength!.Value,
                    TimeSpan.FromSeconds(call.Parse.GetValue(interval)), TimeSpan.FromSeconds(call.Parse.GetValue(deadtime)));
                await DiskSlotLayout.InitializeAsync(call.Device, call.Parse.GetValue(lba), header, call.Parse.GetValue(force), call.CancellationToken).ConfigureAwait(false);
                return call.Print(
                    $"device {call.Address}: slot area initialised for cluster {id:x16}: {count} slots of {header.BlockSize} bytes at LBA {call.Parse.GetValue(lba)}",
                    new { device = call.Address, ok = true, clusterId = id.ToString("x16", CultureInfo.InvariantCulture), slots = count, blockSize = header.BlockSize });
            }
            catch (DrivePulseException e)
            {
                call.Runner.Fail(call.Json, call.Address, e.Message, ScsiExitCodes.UsageError);
                return ScsiExitCodes.UsageError;
            }
        });
        disk.Subcommands.Add(init);
        return disk;
    }
}

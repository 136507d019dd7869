using System.CommandLine;
using System.Globalization;

namespace HwFence.Cli.Commands.Scsi;

/// <summary><c>hwfence scsi readcap DEVICE</c>: READ CAPACITY(10), then (16) for large disks (sg_readcap).</summary>
internal static class ReadCapCommand
{
    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("readcap", "READ CAPACITY: number of blocks, block length and size. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(command);
        runner.SetAction(command, options, async call =>
        {
            var c = await call.Device.ReadCapacityAsync(call.CancellationToken).ConfigureAwait(false);
            var inv = CultureInfo.InvariantCulture;
            string text =
                $"Read Capacity results:\n" +
                $"   Last LBA={c.LastLba} (0x{c.LastLba:x}), Number of logical blocks={c.BlockCount}\n" +
                $"   Logical block length={c.BlockLength} bytes\n" +
                (c.ThinProvisioned ? "   Logical block provisioning: thin (LBPME=1)\n" : "") +
                $"Hence:\n" +
                $"   Device size: {c.CapacityBytes} bytes, {(c.CapacityBytes / 1048576.0).ToString("F1", inv)} MiB, {(c.CapacityBytes / 1e9).ToString("F2", inv)} GB";
            return call.Print(text, new
            {
                device = call.Address,
                ok = true,
                lastLba = c.LastLba,
                blocks = c.BlockCount,
                blockLength = c.BlockLength,
                bytes = c.CapacityBytes,
                thinProvisioned = c.ThinProvisioned,
                protectionEnabled = c.ProtectionEnabled,
            });
        });
        return command;
    }
}

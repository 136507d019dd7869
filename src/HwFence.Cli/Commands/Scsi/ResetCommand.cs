using System.CommandLine;
using HwFence.Hal.Scsi;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// <c>hwfence scsi reset DEVICE [--target]</c>: LOGICAL UNIT RESET or TARGET RESET (like sg_reset -d / -t,
/// but never escalated to a bus or host reset). Breaks an SPC-2 RESERVE(6) held by a dead node.
/// </summary>
internal static class ResetCommand
{
    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("reset",
            "LOGICAL UNIT RESET (SAM-5 §7.7), or TARGET RESET with --target: aborts every initiator's outstanding commands on the " +
            "disk, releases any RESERVE(6) reservation (persistent reservations stay) and gives every initiator a UNIT ATTENTION. " +
            "Over iscsi:// it is an iSCSI task management request, on sg:/sd devices ioctl(SG_SCSI_RESET) (root), never escalated " +
            "to a bus or host reset. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        var target = new Option<bool>("--target") { Description = "TARGET RESET: every logical unit of the target, not only this one" };
        command.Options.Add(target);
        options.AddTo(command);
        runner.SetAction(command, options, async call =>
        {
            bool wholeTarget = call.Parse.GetValue(target);
            string name = wholeTarget ? "TARGET RESET" : "LOGICAL UNIT RESET";
            if (call.Device.Transport is not IScsiTaskManagement tmf)
            {
                string message = $"device {call.Address}: transport {call.Device.Transport.GetType().Name} cannot send {name} — use an iscsi://, sg: or emu: address";
                call.Runner.Fail(call.Json, call.Address, message, ScsiExitCodes.NotSupported);
                return ScsiExitCodes.NotSupported;
            }

            await (wholeTarget ? tmf.TargetResetAsync(call.CancellationToken) : tmf.LogicalUnitResetAsync(call.CancellationToken)).ConfigureAwait(false);
            return call.Print($"device {call.Address}: {name} completed", new { device = call.Address, ok = true, function = name });
        });
        return command;
    }
}

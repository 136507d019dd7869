using System.CommandLine;

namespace HwFence.Cli.Commands.Scsi;

/// <summary><c>hwfence scsi tur DEVICE</c>: TEST UNIT READY (sg_turs).</summary>
internal static class TurCommand
{
    public static Command Create(ScsiCliRunner runner)
    {
        var command = new Command("tur", "TEST UNIT READY: is the device ready, and is it reserved by someone else? " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(command);
        runner.SetAction(command, options, async call =>
        {
            var outcome = await call.Device.TryTestUnitReadyAsync(cancellationToken: call.CancellationToken).ConfigureAwait(false);
            return call.Report(outcome, $"device {call.Address}: ready");
        });
        return command;
    }
}

using System.CommandLine;

namespace HwFence.Cli.Commands.Scsi;

/// <summary><c>hwfence scsi reserve|release DEVICE</c>: SPC-2 RESERVE(6) / RELEASE(6).</summary>
internal static class ReserveReleaseCommands
{
    public static Command CreateReserve(ScsiCliRunner runner)
    {
        var command = new Command("reserve", "RESERVE(6): take the SPC-2 reservation of the whole disk for this initiator. " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(command);
        runner.SetAction(command, options, async call =>
            call.Report(await call.Device.TryReserveAsync(cancellationToken: call.CancellationToken).ConfigureAwait(false), $"device {call.Address}: reserved (RESERVE(6))"));
        return command;
    }

    public static Command CreateRelease(ScsiCliRunner runner)
    {
        var command = new Command("release", "RELEASE(6): drop this initiator's SPC-2 reservation (GOOD also when it held none). " + ScsiExitCodes.HelpText);
        var options = new ScsiCliOptions();
        options.AddTo(command);
        runner.SetAction(command, options, async call =>
            call.Report(await call.Device.TryReleaseAsync(cancellationToken: call.CancellationToken).ConfigureAwait(false), $"device {call.Address}: released (RELEASE(6))"));
        return command;
    }
}

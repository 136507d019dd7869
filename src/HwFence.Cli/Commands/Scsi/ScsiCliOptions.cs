using System.CommandLine;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>The argument and options every <c>hwfence scsi</c> subcommand takes; one instance per subcommand.</summary>
internal sealed class ScsiCliOptions
{
    public Argument<string> Device { get; } = new("device")
    {
        Description = "Device address: /dev/sgN, /dev/sdX, sg:/dev/sgN, \\\\.\\PhysicalDriveN, iscsi://host[:port]/<target-iqn>/<lun>, emu:<name>",
    };

    public Option<string?> InitiatorName { get; } = new("--initiator-name")
    {
        Description = "iSCSI initiator name to log in as (the identity reservations belong to); default iqn.2026-01.org.hwfence:<host name>",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON object instead of text (for scripts)",
    };

    public Option<double> Timeout { get; } = new("--timeout", "-t")
    {
        Description = "Command timeout in seconds (default 30, the Linux sd driver's)",
        DefaultValueFactory = _ => 30,
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Device);
        command.Options.Add(InitiatorName);
        command.Options.Add(Json);
        command.Options.Add(Timeout);
        Timeout.Validators.Add(r =>
        {
            double t = r.GetValueOrDefault<double>();
            if (!(t > 0 && t <= 86_400))
            {
                r.AddError($"--timeout {t}: must be more than 0 and at most 86400 seconds");
            }
        });
    }
}

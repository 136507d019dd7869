using System.CommandLine;

namespace HwFence.Cli.Commands;

/// <summary>Every top-level subcommand, in the order --help lists them. Add one line per command.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return HwFence.Cli.Demo.DemoCommand.Create();
        yield return HwFence.Cli.Node.NodeCommand.Create();
        yield return VersionCommand.Create();
        yield return Scsi.ScsiCommand.Create();
        yield return Emulator.EmulatorCommand.Create();
        yield return Cluster.ConfigCommand.Create();
        yield return Heartbeat.KeyCommand.Create();
        yield return Heartbeat.DiskCommand.Create();
        yield return Heartbeat.HeartbeatCommand.Create();
        yield return HwFence.Cli.Demo.DemoAppCommand.Create();
        yield return FenceAgent.FenceAgentCommand.Create();
        yield return HwFence.Cli.Hil.HilCommand.Create();
        yield return Operator.StatusCommand.Create();
        yield return Operator.EventsCommand.Create();
        yield return Operator.AppCommand.Create();
        yield return Operator.GroupCommand.Create();
    }
}

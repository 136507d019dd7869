using System.CommandLine;
using HwFence.Emulator.Loopback;
using HwFence.Fencing.Agent;
using HwFence.Fencing.Scsi;
using HwFence.Scsi.Addressing;

namespace HwFence.Cli.Commands.FenceAgent;

/// <summary>
/// <c>hwfence fence-agent</c>: the Pacemaker fence-agents API (ClusterLabs doc/FenceAgentAPI.md),
/// usable as a stonith device in place of fence_scsi. Options come as name=value lines on stdin
/// when run without arguments (how stonithd calls agents), or as fence_scsi's flags. Its argument
/// syntax is the fence-agents one, so Program dispatches it before System.CommandLine parses.
/// </summary>
internal static class FenceAgentCommand
{
    public const string Name = "fence-agent";

    private const string Help =
        "Pacemaker fence agent, a drop-in for fence_scsi: SCSI-3 persistent-reservation fencing of the shared disks in devices=. " +
        "Without arguments it reads name=value lines on stdin (action, plug/nodename, devices, key, cluster_name, aptpl, …); " +
        "with arguments it takes fence_scsi's flags (-o/--action, -n/--plug, -k/--key, -d/--devices, --nodename …). " +
        "Actions: on, off, reboot, status, list, list-status, monitor, metadata, validate-all. " +
        "Exit: 0 success (status: on), 1 failure, 2 status off. `hwfence fence-agent -o metadata` prints the agent XML; `hwfence fence-agent --help` the agent's own usage.";

    /// <summary>An entry for the command list and --help; the work is done by <see cref="Run"/>.</summary>
    public static Command Create()
    {
        var command = new Command(Name, Help);
        command.SetAction(_ => Run([]));
        return command;
    }

    public static int Run(string[] args)
    {
        bool parsed = args.Length == 0
            ? FenceAgentOptionParser.TryParseStdin(Console.IsInputRedirected ? Console.In.ReadToEnd() : "", out var options, out var error)
            : FenceAgentOptionParser.TryParseArguments(args, out options, out error);
        if (!parsed)
        {
            Console.Error.WriteLine($"hwfence fence-agent: {error}");
            return FenceAgentExitCode.Failure;
        }

        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        FenceDeviceOpener open = async (o, ownKey, ct) =>
        {
            var disks = new List<FencingDisk>();
            foreach (var device in o.Devices)
            {
                var d = await factory.OpenDeviceAsync(device, new ScsiTransportOpenOptions { InitiatorName = o.InitiatorName }, ct);
                disks.Add(FencingDisk.SinglePath(d));
            }

            return new ScsiPrFenceDevice(disks, ownKey, new ScsiPrFenceOptions { ClusterName = o.ClusterName, Aptpl = o.Aptpl, CommandTimeout = o.IoTimeout });
        };
        var runner = new FenceAgentRunner(
            Console.Out,
            Console.Error,
            TimeProvider.System,
            path => File.Exists(path) ? File.ReadAllText(path) : null,
            (path, text) =>
            {
                if (Path.GetDirectoryName(path) is { Length: > 0 } dir)
                {
                    Directory.CreateDirectory(dir);
                }

                File.WriteAllText(path, text);
            },
            open);
        return runner.RunAsync(options).GetAwaiter().GetResult();
    }
}

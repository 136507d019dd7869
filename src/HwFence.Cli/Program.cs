using System.CommandLine;
using HwFence.Cli.Commands;

namespace HwFence.Cli;

/// <summary>Entry point of the single <c>hwfence</c> executable.</summary>
public static class Program
{
    public static int Main(string[] args) =>
        // fence-agents' own argument syntax (-o off, name=value on stdin) is not System.CommandLine's.
        args.Length > 0 && args[0] == Commands.FenceAgent.FenceAgentCommand.Name
            ? Commands.FenceAgent.FenceAgentCommand.Run(args[1..])
            : BuildRoot().Parse(args).Invoke();

    /// <summary>The whole command tree; each subcommand lives in its own file under Commands/.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "HwFence: keeps clustered applications running when a server dies, and never lets two servers write the same shared disk.");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}

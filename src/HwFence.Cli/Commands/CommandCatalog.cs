using System.CommandLine;

namespace HwFence.Cli.Commands;

/// <summary>Every top-level subcommand, in the order --help lists them. Add one line per command.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
    }
}

using System.CommandLine;
using HwFence.Cluster.Configuration;

namespace HwFence.Cli.Commands.Cluster;

/// <summary><c>hwfence config check FILE [--json]</c>: validates cluster.yaml; errors name file, line, field and why.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Command("config", "Work with the cluster configuration (cluster.yaml).");
        var check = new Command("check", "Validate a cluster.yaml: every error names the file, line, field and why. Exit 0 = valid, 1 = invalid.");
        var file = new Argument<string>("FILE") { Description = "Path of the cluster.yaml to check." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document (valid, errors[], summary) instead of text." };
        check.Arguments.Add(file);
        check.Options.Add(json);
        check.SetAction(parse => ConfigCheck.Run(parse.GetValue(file)!, parse.GetValue(json), Console.Out, Console.Error));
        config.Subcommands.Add(check);
        return config;
    }
}

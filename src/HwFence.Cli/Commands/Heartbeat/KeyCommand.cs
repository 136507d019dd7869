using System.CommandLine;
using HwFence.Heartbeat.Security;

namespace HwFence.Cli.Commands.Heartbeat;

/// <summary><c>hwfence key generate FILE</c>: creates the cluster key that authenticates heartbeats and messages.</summary>
internal static class KeyCommand
{
    public static Command Create() => Create(Console.Out, Console.Error);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var key = new Command("key", "Manage the cluster key (HMAC-SHA256) that authenticates heartbeat and message frames.");
        var file = new Argument<string>("file") { Description = "Where to write the key, e.g. /etc/hwfence/authkey." };
        var generate = new Command("generate", "Write a new random 256-bit key, created with mode 0600. Copy the same file to every node (scp -p keeps the mode).");
        generate.Arguments.Add(file);
        generate.SetAction(parseResult =>
        {
            string path = parseResult.GetValue(file)!;
            try
            {
                ClusterKey.Generate(path);
                output.WriteLine($"wrote a {ClusterKey.GeneratedLength * 8}-bit cluster key to {path} (mode 0600); copy it to every node, e.g. `scp -p {path} node2:{path}`");
                return 0;
            }
            catch (ClusterKeyException e)
            {
                error.WriteLine(e.Message);
                return 1;
            }
        });
        key.Subcommands.Add(generate);
        return key;
    }
}

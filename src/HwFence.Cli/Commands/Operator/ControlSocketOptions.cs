using System.CommandLine;
using System.Text.Json;
using HwFence.Cli.Node;
using HwFence.Cluster.Api;
using HwFence.Cluster.Configuration;

namespace HwFence.Cli.Commands.Operator;

/// <summary>
/// How <c>hwfence app …</c> and <c>hwfence group …</c> find the local daemon's control socket —
/// <c>--socket PATH</c>, or <c>--state-dir DIR</c>, or <c>--config FILE --node NAME</c> (the
/// node's <c>state_dir</c>) — and how they send one request and print its reply.
/// Exit codes: 0 done, 1 refused by the daemon, 2 usage, 3 no daemon reachable.
/// </summary>
internal sealed class ControlSocketOptions
{
    public Option<string?> Socket { get; } = new("--socket") { Description = "The daemon's control socket (default: STATE_DIR/control.sock)." };
    public Option<string?> StateDir { get; } = new("--state-dir") { Description = "The node's state directory (as given to `hwfence node run --state-dir`)." };
    public Option<string?> Config { get; } = new("--config") { Description = "cluster.yaml: the socket is in the state_dir it names (with --node)." };
    public Option<string?> Node { get; } = new("--node") { Description = "This node's name in --config." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the daemon's reply as JSON for scripts." };
    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for the daemon's answer (a move waits for the stop and the start).", DefaultValueFactory = _ => 60 };

    public void AddTo(Command command)
    {
        command.Options.Add(Socket);
        command.Options.Add(StateDir);
        command.Options.Add(Config);
        command.Options.Add(Node);
        command.Options.Add(Json);
        command.Options.Add(Timeout);
    }

    /// <summary>The socket path, or null after printing why it cannot be found (usage error).</summary>
    public string? Resolve(ParseResult parse, string command)
    {
        if (parse.GetValue(Socket) is { } socket)
        {
            return socket;
        }

        if (parse.GetValue(StateDir) is { } dir)
        {
            return Path.Combine(dir, NodeHost.ControlSocketName);
        }

        if (parse.GetValue(Config) is { } config)
        {
            return StateDirOf(config, parse.GetValue(Node), command) is { } stateDir ? Path.Combine(stateDir, NodeHost.ControlSocketName) : null;
        }

        Console.Error.WriteLine($"{command}: say which daemon: --state-dir DIR, --config FILE --node NAME, or --socket PATH");
        return null;
    }

    /// <summary>The state_dir <paramref name="configPath"/> names for <paramref name="node"/>, or null after printing why not.</summary>
    public static string? StateDirOf(string configPath, string? node, string command)
    {
        if (!ClusterConfigLoader.TryLoad(configPath, out var cfg, out var errors))
        {
            foreach (var e in errors)
            {
                Console.Error.WriteLine($"{command}: {e}");
            }

            return null;
        }

        if (node is null || cfg!.FindNode(node) is null)
        {
            Console.Error.WriteLine($"{command}: --config needs --node NAME, one of {string.Join(", ", cfg!.Nodes.Select(n => n.Name))}");
            return null;
        }

        return cfg.StateDirectory;
    }

    /// <summary>Sends <paramref name="request"/>, prints the outcome (<paramref name="describe"/> renders success for people) and returns the exit code.</summary>
    public int Send(ParseResult parse, string command, string request, Func<JsonElement, string> describe)
    {
        if (Resolve(parse, command) is not { } socket)
        {
            return 2;
        }

        double seconds = parse.GetValue(Timeout);
        if (seconds is <= 0 or > 3600)
        {
            Console.Error.WriteLine($"{command}: --timeout {seconds} is outside (0, 3600] seconds");
            return 2;
        }

        ClusterControlClient.Reply reply;
        try
        {
            reply = ClusterControlClient.SendAsync(socket, request, TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message}");
            return 3;
        }

        bool json = parse.GetValue(Json);
        if (!reply.Ok)
        {
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { ok = false, error = reply.Error }));
            }

            Console.Error.WriteLine($"{command}: refused: {reply.Error}");
            return 1;
        }

        Console.Out.WriteLine(json ? JsonSerializer.Serialize(new { ok = true, result = reply.Result }) : describe(reply.Result));
        return 0;
    }
}

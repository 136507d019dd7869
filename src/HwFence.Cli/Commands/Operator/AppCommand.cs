using System.CommandLine;
using System.Text.Json;
using HwFence.Cluster.Api;

namespace HwFence.Cli.Commands.Operator;

/// <summary>
/// <c>hwfence app load|unload|move|failback|add|remove</c>: operator commands on clustered
/// applications, sent to the local daemon's control socket. Exit codes: 0 done, 1 refused by the
/// daemon (the reason names the application, node or group), 2 usage, 3 no daemon reachable.
/// </summary>
internal static class AppCommand
{
    public static Command Create()
    {
        var app = new Command("app", "Load, unload, move, fail back, add or remove a clustered application (through the local daemon's control socket). Exit codes: 0 done, 1 refused, 2 usage, 3 no daemon.");
        app.Subcommands.Add(Simple("load", "Load TAG on this node (the registration cases decide: create, take over an unloaded one, wait for a backup to hand over, or resynchronise first).", "APP-LOAD",
            r => $"{Str(r, "tag")}: loaded on {Str(r, "node")} ({Str(r, "registration")})"));
        app.Subcommands.Add(Simple("unload", "Stop TAG (verified) and leave HOST empty, committed with the group's quorum; run it on the host.", "APP-UNLOAD",
            r => $"{Str(r, "tag")}: unloaded (HOST empty)"));
        app.Subcommands.Add(Simple("failback", "Confirm a pending failback of TAG (auto_failback: false): run it on the current host; the primary takes it back.", "APP-FAILBACK",
            r => $"{Str(r, "tag")}: failback confirmed on {Str(r, "node")}; the primary takes over"));
        app.Subcommands.Add(Simple("remove", "Delete TAG's application object everywhere (it must be unloaded). Remove it from cluster.yaml too, or it comes back on restart.", "APP-REMOVE",
            r => $"{Str(r, "tag")}: removed"));
        app.Subcommands.Add(Move());
        app.Subcommands.Add(Add());
        return app;
    }

    private static Command Simple(string name, string description, string verb, Func<JsonElement, string> describe)
    {
        var tag = new Argument<string>("TAG") { Description = "The application's tag." };
        var options = new ControlSocketOptions();
        var cmd = new Command(name, description);
        cmd.Arguments.Add(tag);
        options.AddTo(cmd);
        cmd.SetAction(parse => Names(parse.GetValue(tag)!, $"app {name}") is { } bad ? bad : options.Send(parse, $"app {name}", $"{verb} {parse.GetValue(tag)}", describe));
        return cmd;
    }

    private static Command Move()
    {
        var tag = new Argument<string>("TAG") { Description = "The application's tag." };
        var to = new Option<string>("--to") { Description = "The owner to move it to (PRIMARY or a BACKUP of TAG).", Required = true };
        var options = new ControlSocketOptions();
        var cmd = new Command("move", "Move TAG from this node (its host) to another candidate: stop, verify stopped, hand over; the target starts it and becomes HOST (quorum-committed).");
        cmd.Arguments.Add(tag);
        cmd.Options.Add(to);
        options.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string t = parse.GetValue(tag)!, target = parse.GetValue(to)!;
            return Names(t, "app move") ?? Names(target, "app move") ?? options.Send(parse, "app move", $"APP-MOVE {t} {target}", r => $"{t}: moved to {target}");
        });
        return cmd;
    }

    private static Command Add()
    {
        var tag = new Argument<string>("TAG") { Description = "The new application's tag." };
        var group = new Option<string>("--group") { Description = "Its resource group (from cluster.yaml).", Required = true };
        var primary = new Option<string>("--primary") { Description = "The owner it prefers to run on.", Required = true };
        var backups = new Option<string[]>("--backup") { Description = "A backup owner, in takeover order (repeat the option).", AllowMultipleArgumentsPerToken = false };
        var noFailback = new Option<bool>("--no-auto-failback") { Description = "Stay on the backup until `hwfence app failback TAG` (default: fail back automatically)." };
        var workdir = new Option<string?>("--workdir") { Description = "Working directory of the command." };
        var argv = new Argument<string[]>("COMMAND") { Description = "The program and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var options = new ControlSocketOptions();
        var cmd = new Command("add", "Add a cluster-capable application (not loaded: load it with `hwfence app load TAG` on an owner). Example: hwfence app add web --group g1 --primary n1 --backup n2 --state-dir DIR -- /usr/bin/python3 -m http.server 8080");
        cmd.Arguments.Add(tag);
        cmd.Arguments.Add(argv);
        cmd.Options.Add(group);
        cmd.Options.Add(primary);
        cmd.Options.Add(backups);
        cmd.Options.Add(noFailback);
        cmd.Options.Add(workdir);
        options.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var spec = new ControlAppSpec
            {
                Tag = parse.GetValue(tag)!,
                Group = parse.GetValue(group)!,
                Primary = parse.GetValue(primary)!,
                Backups = parse.GetValue(backups) ?? [],
                Argv = parse.GetValue(argv) ?? [],
                WorkDir = parse.GetValue(workdir),
                AutoFailback = !parse.GetValue(noFailback),
            };
            if (spec.Validate() is { } invalid)
            {
                Console.Error.WriteLine($"app add: {invalid}");
                return 2;
            }

            return options.Send(parse, "app add", "APP-ADD " + JsonSerializer.Serialize(spec), r => $"{spec.Tag}: added to group {spec.Group} (not loaded; run `hwfence app load {spec.Tag}` on an owner)");
        });
        return cmd;
    }

    /// <summary>
    /// Tags, node, group and partition names (<c>node/part</c>) travel as one field of a control
    /// line: letters, digits, '-', '_', '.' and '/', nothing else.
    /// </summary>
    internal static int? Names(string value, string command)
    {
        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
        {
            return null;
        }

        Console.Error.WriteLine($"{command}: '{value}' is not a valid name (letters, digits, '-', '_', '.' or '/')");
        return 2;
    }

    internal static string Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "?";
}

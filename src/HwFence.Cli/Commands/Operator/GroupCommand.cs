using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace HwFence.Cli.Commands.Operator;

/// <summary>
/// <c>hwfence group list|add-member|remove-member|move-member</c>: redundancy groups (members and
/// the tasks they hold), changed at run time through the local daemon's control socket and
/// replicated to every node. Exit codes: 0 done, 1 refused, 2 usage, 3 no daemon.
/// </summary>
internal static class GroupCommand
{
    public static Command Create()
    {
        var group = new Command("group", "List redundancy groups, or add, remove or move a member (a node or a named partition) at run time. Exit codes: 0 done, 1 refused, 2 usage, 3 no daemon.");
        group.Subcommands.Add(List());
        group.Subcommands.Add(AddMember());
        group.Subcommands.Add(RemoveMember());
        group.Subcommands.Add(MoveMember());
        return group;
    }

    private static Command List()
    {
        var options = new ControlSocketOptions();
        var cmd = new Command("list", "Each redundancy group: its members in order and which member holds each task.");
        options.AddTo(cmd);
        cmd.SetAction(parse => options.Send(parse, "group list", "GROUP-LIST", Render));
        return cmd;
    }

    private static Command AddMember()
    {
        var group = new Argument<string>("GROUP") { Description = "The redundancy group." };
        var partition = new Argument<string>("PARTITION") { Description = "A node name or a named partition of a node." };
        var position = new Option<int?>("--position") { Description = "Place in the member order (0 = first); default last." };
        var options = new ControlSocketOptions();
        var cmd = new Command("add-member", "Add PARTITION to GROUP (a partition belongs to exactly one group: use move-member to change it).");
        cmd.Arguments.Add(group);
        cmd.Arguments.Add(partition);
        cmd.Options.Add(position);
        options.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string g = parse.GetValue(group)!, p = parse.GetValue(partition)!;
            int? at = parse.GetValue(position);
            if (at is < 0)
            {
                Console.Error.WriteLine($"group add-member: --position {at} must be 0 or more");
                return 2;
            }

            return AppCommand.Names(g, "group add-member") ?? AppCommand.Names(p, "group add-member")
                ?? options.Send(parse, "group add-member", $"GROUP-ADD-MEMBER {g} {p}{(at is int n ? $" {n}" : "")}", _ => $"{p}: added to {g}");
        });
        return cmd;
    }

    private static Command RemoveMember()
    {
        var group = new Argument<string>("GROUP") { Description = "The redundancy group." };
        var partition = new Argument<string>("PARTITION") { Description = "The member to remove; its tasks move to the next member." };
        var options = new ControlSocketOptions();
        var cmd = new Command("remove-member", "Remove PARTITION from GROUP; the tasks it held go to the next available member.");
        cmd.Arguments.Add(group);
        cmd.Arguments.Add(partition);
        options.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string g = parse.GetValue(group)!, p = parse.GetValue(partition)!;
            return AppCommand.Names(g, "group remove-member") ?? AppCommand.Names(p, "group remove-member")
                ?? options.Send(parse, "group remove-member", $"GROUP-REMOVE-MEMBER {g} {p}", _ => $"{p}: removed from {g}");
        });
        return cmd;
    }

    private static Command MoveMember()
    {
        var partition = new Argument<string>("PARTITION") { Description = "The member to move." };
        var to = new Option<string>("--to") { Description = "The redundancy group it joins.", Required = true };
        var options = new ControlSocketOptions();
        var cmd = new Command("move-member", "Move PARTITION from its redundancy group to another (it leaves the first, tasks it held move on).");
        cmd.Arguments.Add(partition);
        cmd.Options.Add(to);
        options.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string p = parse.GetValue(partition)!, g = parse.GetValue(to)!;
            return AppCommand.Names(p, "group move-member") ?? AppCommand.Names(g, "group move-member")
                ?? options.Send(parse, "group move-member", $"GROUP-MOVE-MEMBER {p} {g}", _ => $"{p}: moved to {g}");
        });
        return cmd;
    }

    /// <summary>Plain text: one block per group.</summary>
    internal static string Render(JsonElement groups)
    {
        var b = new StringBuilder();
        if (groups.ValueKind != JsonValueKind.Array || groups.GetArrayLength() == 0)
        {
            return "no redundancy groups configured";
        }

        foreach (var g in groups.EnumerateArray())
        {
            b.Append(AppCommand.Str(g, "Name")).Append(": members ")
             .AppendJoin(", ", g.GetProperty("Members").EnumerateArray().Select(m => m.GetString()));
            foreach (var task in g.GetProperty("Holders").EnumerateObject())
            {
                b.AppendLine().Append("  task ").Append(task.Name).Append(" → ").Append(task.Value.GetString() ?? "(nobody)");
            }

            b.AppendLine();
        }

        return b.ToString().TrimEnd();
    }
}

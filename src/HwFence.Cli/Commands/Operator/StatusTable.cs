using HwFence.Cli.Node;
using HwFence.Detection;
using Spectre.Console;

namespace HwFence.Cli.Commands.Operator;

/// <summary><c>hwfence status</c> on a terminal: colour tables (Spectre.Console) of peers × paths, applications and groups.</summary>
internal static class StatusTable
{
    public static void Write(NodeStatusFile s, DateTimeOffset now)
    {
        var c = s.Cluster;
        AnsiConsole.MarkupLine($"[bold]node {Markup.Escape(c.Node)}[/]  ready={Flag(c.Ready)}  self-fenced={(s.SelfFenced ? "[red bold]YES[/]" : "[green]no[/]")}  [grey]written {s.WrittenAt:HH:mm:ss.fff}[/]");
        if (StatusCommand.IsStale(s, now))
        {
            AnsiConsole.MarkupLine($"[red]status is stale ({(now - s.WrittenAt).TotalSeconds:F0} s old) — daemon not running?[/]");
        }

        if (s.Detector is { IsIsolated: true } d)
        {
            AnsiConsole.MarkupLine($"[red bold]ISOLATED:[/] {Markup.Escape(d.IsolationReason ?? "")} — this node will not take anything over");
        }

        var peers = new Table().Border(TableBorder.Rounded).Title("peers × paths");
        peers.AddColumns("peer", "verdict", "path", "state", "silent", "incarnation");
        foreach (var p in s.Detector?.Peers ?? [])
        {
            bool first = true;
            foreach (var path in p.Paths)
            {
                peers.AddRow(
                    first ? Markup.Escape(p.Name) : "",
                    first ? Verdict(p.Verdict) + (p.DeadWithheldReason is { } why ? $"\n[grey]{Markup.Escape(why)}[/]" : "") : "",
                    Markup.Escape(path.Path.ToString()),
                    PathState(path.State),
                    $"{path.Silence.TotalMilliseconds:0} ms",
                    first ? p.Incarnation.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
                first = false;
            }
        }

        AnsiConsole.Write(peers);

        var apps = new Table().Border(TableBorder.Rounded).Title("applications");
        apps.AddColumns("tag", "state", "host", "primary", "backups", "group", "failback");
        foreach (var a in c.Applications)
        {
            string color = a.State switch
            {
                "running" or "hosted" => "green",
                "failback pending" or "waiting for handover" or "starting" => "yellow",
                "unloaded" => "grey",
                _ => "red",
            };
            apps.AddRow(Markup.Escape(a.Tag), $"[{color}]{Markup.Escape(a.State)}[/]", Markup.Escape(a.Host ?? "-"), Markup.Escape(a.Primary),
                Markup.Escape(string.Join(", ", a.Backups)), Markup.Escape(a.Group), a.AutoFailback ? "auto" : "operator");
        }

        AnsiConsole.Write(apps);

        var groups = new Table().Border(TableBorder.Rounded).Title("resource groups");
        groups.AddColumns("group", "owners", "quorum policy", "quorum");
        foreach (var g in c.Groups)
        {
            groups.AddRow(Markup.Escape(g.Name), Markup.Escape(string.Join(", ", g.Owners)), Markup.Escape(g.QuorumPolicy), g.HasQuorum is bool q ? Flag(q) : "[grey]?[/]");
        }

        AnsiConsole.Write(groups);
        if (s.PendingFailbacks is { Count: > 0 } pending)
        {
            AnsiConsole.MarkupLine($"[yellow]failback pending[/] (confirm on the host: hwfence app failback TAG): {Markup.Escape(string.Join(", ", pending))}");
        }
    }

    private static string Flag(bool ok) => ok ? "[green]yes[/]" : "[red]no[/]";

    private static string Verdict(Verdict v) => v switch
    {
        HwFence.Detection.Verdict.Alive => "[green]Alive[/]",
        HwFence.Detection.Verdict.Suspect => "[yellow]Suspect[/]",
        HwFence.Detection.Verdict.Partitioned => "[magenta bold]Partitioned[/]",
        HwFence.Detection.Verdict.Dead => "[red bold]Dead[/]",
        _ => $"[grey]{v}[/]",
    };

    private static string PathState(PathState p) => p switch
    {
        HwFence.Detection.PathState.Up => "[green]Up[/]",
        HwFence.Detection.PathState.Late => "[yellow]Late[/]",
        HwFence.Detection.PathState.Down => "[red]Down[/]",
        _ => $"[grey]{p}[/]",
    };
}

using System.CommandLine;
using System.Text;
using System.Text.Json;
using HwFence.Cli.Node;

namespace HwFence.Cli.Commands.Operator;

/// <summary>
/// <c>hwfence status --state-dir DIR [--json]</c>: reads STATE_DIR/status.json written by
/// <c>hwfence node run</c> (works even when the daemon is busy). Exit codes: 0 ok, 1 error,
/// 3 daemon unreachable (status file missing or older than 5 s).
/// </summary>
internal static class StatusCommand
{
    /// <summary>The daemon rewrites status.json twice a second; 5 s without a write means it is not running.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var stateDir = new Option<string?>("--state-dir") { Description = "The node's state directory (holds status.json)." };
        var config = new Option<string?>("--config") { Description = "cluster.yaml: read the status of --node from the state_dir it names." };
        var node = new Option<string?>("--node") { Description = "This node's name in --config." };
        var json = new Option<bool>("--json") { Description = "Print the raw status as JSON for scripts." };
        var cmd = new Command("status", "Show one node's view of the cluster: peers × paths with their states and verdicts, applications (host, primary, backups, state, failback pending), groups with quorum, self-fenced flag. A colour table on a terminal, plain text otherwise. Exit codes: 0 ok, 1 error, 2 usage, 3 daemon not running (status file missing or stale).");
        cmd.Options.Add(stateDir);
        cmd.Options.Add(config);
        cmd.Options.Add(node);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            string? dir = parse.GetValue(stateDir);
            if (dir is null && parse.GetValue(config) is { } configPath)
            {
                dir = ControlSocketOptions.StateDirOf(configPath, parse.GetValue(node), "status");
                if (dir is null)
                {
                    return 2;
                }
            }

            if (dir is null)
            {
                Console.Error.WriteLine("status: say which node: --state-dir DIR, or --config FILE --node NAME");
                return 2;
            }

            var path = Path.Combine(dir, "status.json");
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"status: {path} does not exist — daemon not running? Start it with 'hwfence node run --config cluster.yaml --node NAME --state-dir {dir}'.");
                return 3;
            }
            NodeStatusFile? status;
            string text;
            try
            {
                text = File.ReadAllText(path);
                status = JsonSerializer.Deserialize<NodeStatusFile>(text, NodeStatusFile.Json);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                Console.Error.WriteLine($"status: cannot read {path}: {e.Message}");
                return 1;
            }
            if (status is null)
            {
                Console.Error.WriteLine($"status: {path} is empty.");
                return 1;
            }
            if (parse.GetValue(json))
            {
                Console.Out.Write(text + Environment.NewLine);
            }
            else if (!Console.IsOutputRedirected)
            {
                StatusTable.Write(status, TimeProvider.System.GetUtcNow());
            }
            else
            {
                Console.Out.Write(Render(status, TimeProvider.System.GetUtcNow()));
            }

            return IsStale(status, TimeProvider.System.GetUtcNow()) ? 3 : 0;
        });
        return cmd;
    }

    public static bool IsStale(NodeStatusFile status, DateTimeOffset now) => now - status.WrittenAt > StaleAfter;

    /// <summary>Plain-text rendering (stable, for redirected output and tests).</summary>
    public static string Render(NodeStatusFile s, DateTimeOffset now)
    {
        var b = new StringBuilder();
        var c = s.Cluster;
        b.AppendLine($"node {c.Node}  ready={c.Ready}  self-fenced={s.SelfFenced}  written {s.WrittenAt:O}");
        if (IsStale(s, now))
        {
            b.AppendLine($"WARNING: status is stale ({(now - s.WrittenAt).TotalSeconds:F0} s old) — daemon not running?");
        }
        b.AppendLine("PEERS");
        foreach (var p in c.Peers)
        {
            b.AppendLine($"  {p.Node,-12} id={p.Id,-3} verdict={p.Verdict,-10} ready={p.Ready?.ToString() ?? "?"} incarnation={p.Incarnation?.ToString() ?? "?"}");
        }
        b.AppendLine("PATHS");
        foreach (var p in s.Detector?.Peers ?? [])
        {
            foreach (var path in p.Paths)
            {
                b.AppendLine($"  {p.Name,-12} {path.Path,-28} {path.State,-10} silent {path.Silence.TotalMilliseconds,6:0} ms{(path.LocalReason is { } r ? $"  ({r})" : "")}");
            }
        }

        if (s.Detector is { IsIsolated: true } d)
        {
            b.AppendLine($"ISOLATED: {d.IsolationReason} — this node will not take anything over");
        }

        b.AppendLine("GROUPS");
        foreach (var g in c.Groups)
        {
            b.AppendLine($"  {g.Name,-12} owners={string.Join(',', g.Owners)} quorum-policy={g.QuorumPolicy} has-quorum={g.HasQuorum?.ToString() ?? "?"}");
        }
        b.AppendLine("APPLICATIONS");
        foreach (var a in c.Applications)
        {
            b.AppendLine($"  {a.Tag,-12} state={a.State,-10} host={a.Host ?? "-"} primary={a.Primary} backups={string.Join(',', a.Backups)} group={a.Group}");
        }

        if (s.PendingFailbacks is { Count: > 0 } pending)
        {
            b.AppendLine($"FAILBACK PENDING (confirm on the host: hwfence app failback TAG): {string.Join(", ", pending)}");
        }

        return b.ToString();
    }
}

using System.CommandLine;
using HwFence.Cluster.Events;

namespace HwFence.Cli.Commands.Operator;

/// <summary>
/// <c>hwfence events --state-dir DIR [--follow] [--json]</c>: prints STATE_DIR/events.jsonl (one ClusterEvent per line);
/// --follow keeps streaming new lines with a bounded 250 ms poll (no busy loop). Exit codes: 0 ok, 1 error, 3 no event log.
/// </summary>
internal static class EventsCommand
{
    /// <summary>Poll period for --follow: the daemon writes status twice a second, so 250 ms keeps up without spinning.</summary>
    public static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "The node's state directory (holds events.jsonl).", Required = true };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until Ctrl+C." };
        var json = new Option<bool>("--json") { Description = "Print each event as its raw JSON line." };
        var cmd = new Command("events", "Print the node's event log. Exit codes: 0 ok, 1 error, 2 usage, 3 event log missing (daemon never ran with this state dir).");
        cmd.Options.Add(stateDir);
        cmd.Options.Add(follow);
        cmd.Options.Add(json);
        cmd.SetAction(async (parse, ct) =>
        {
            var path = Path.Combine(parse.GetValue(stateDir)!, "events.jsonl");
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"events: {path} does not exist — daemon not running? Check --state-dir.");
                return 3;
            }
            var raw = parse.GetValue(json);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (!ct.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (line is null)
                {
                    if (!parse.GetValue(follow))
                    {
                        return 0;
                    }
                    try { await Task.Delay(FollowPoll, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return 0; }
                    continue;
                }
                Console.Out.WriteLine(Format(line, raw));
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>One event line for display; an unparsable line is shown as-is with a marker rather than aborting.</summary>
    public static string Format(string line, bool raw)
    {
        if (raw || string.IsNullOrWhiteSpace(line))
        {
            return line;
        }
        try
        {
            return ClusterEvent.FromJson(line)?.ToString() ?? line;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            return "(unparsable) " + line;
        }
    }
}

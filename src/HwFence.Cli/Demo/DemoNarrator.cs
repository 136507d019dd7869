using System.Text.Json;
using HwFence.Cluster.Events;
using Spectre.Console;

namespace HwFence.Cli.Demo;

/// <summary>
/// Tells the demo's story with timestamps relative to the start: the rig's own actions and the
/// nodes' events (read from their event logs as they are written). Plain lines when output is
/// redirected, colours on a terminal, one JSON object per line with --json.
/// </summary>
internal sealed class DemoNarrator
{
    private readonly DateTimeOffset _start;
    private readonly bool _json;
    private readonly bool _color;
    private readonly Dictionary<string, long> _offsets = new();
    private readonly object _gate = new();

    public DemoNarrator(DateTimeOffset start, bool json)
    {
        _start = start;
        _json = json;
        _color = !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;
    }

    public void Rig(string message, DateTimeOffset? at = null) => Emit(at ?? DateTimeOffset.UtcNow, "rig", "rig", message, "yellow");

    public void Phase(string title)
    {
        lock (_gate)
        {
            if (_json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { t = Elapsed(DateTimeOffset.UtcNow), kind = "phase", title }));
            }
            else if (_color)
            {
                AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(title)}[/]") { Justification = Justify.Left });
            }
            else
            {
                Console.WriteLine($"== {title}");
            }
        }
    }

    /// <summary>Prints the node events appended to <paramref name="eventLog"/> since the last call.</summary>
    public void Pump(string node, string eventLog, Func<ClusterEvent, bool> interesting)
    {
        if (!File.Exists(eventLog))
        {
            return;
        }

        using var fs = new FileStream(eventLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _offsets.TryGetValue(eventLog, out long offset);
        if (fs.Length < offset)
        {
            offset = 0;
        }

        fs.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(fs);
        string? line;
        long consumed = offset;
        while ((line = reader.ReadLine()) is not null)
        {
            if (!line.EndsWith('}'))
            {
                break; // a line still being written: read it next time
            }

            consumed += System.Text.Encoding.UTF8.GetByteCount(line) + 1;
            ClusterEvent? e = null;
            try
            {
                e = ClusterEvent.FromJson(line);
            }
            catch (JsonException)
            {
                Emit(DateTimeOffset.UtcNow, node, "malformed", $"unreadable event line in {eventLog}: {line}", "red");
            }

            if (e is not null && interesting(e))
            {
                Emit(e.Time, node, e.Kind.ToString(), Describe(e), Colour(e.Kind));
            }
        }

        _offsets[eventLog] = consumed;
    }

    private static string Describe(ClusterEvent e) =>
        (e.Peer is null ? "" : $"peer {e.Peer}: ") + (e.Path is null ? "" : $"[{e.Path}] ") + e.Message;

    private static string Colour(ClusterEventKind k) => k switch
    {
        ClusterEventKind.PartitionAlarm or ClusterEventKind.FenceFailed or ClusterEventKind.FailoverFailed or ClusterEventKind.QuorumLost => "red",
        ClusterEventKind.FenceStarted or ClusterEventKind.FenceSucceeded => "magenta",
        ClusterEventKind.FailoverStarted or ClusterEventKind.FailoverCompleted or ClusterEventKind.FailbackStarted or ClusterEventKind.FailbackCompleted => "green",
        ClusterEventKind.VerdictChanged => "cyan",
        _ => "grey",
    };

    public double Elapsed(DateTimeOffset at) => Math.Round((at - _start).TotalSeconds, 3);

    public void Emit(DateTimeOffset at, string source, string kind, string message, string colour = "white")
    {
        lock (_gate)
        {
            if (_json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { t = Elapsed(at), time = at, source, kind, message }));
            }
            else if (_color)
            {
                AnsiConsole.MarkupLine($"[dim]{Elapsed(at),8:0.000}s[/] [bold]{Markup.Escape(source),-3}[/] [{colour}]{Markup.Escape(kind)}[/] {Markup.Escape(message)}");
            }
            else
            {
                Console.WriteLine($"{Elapsed(at),8:0.000}s {source,-3} {kind} {message}");
            }
        }
    }
}

using System.Text.Json;
using HwFence.Detection;

namespace HwFence.Rig;

/// <summary>
/// One line of a node's event log or of the rig's fault log, as JSON:
/// <c>{"time":"…","node":2,"kind":"fence-completed","peer":1}</c>. Unknown fields are ignored so
/// that the logs can carry more than the checker needs.
/// </summary>
/// <param name="Time">Wall-clock time of the event (all nodes of the emulated rig share one clock).</param>
/// <param name="Node">The node that logged it (for <see cref="RigEventKinds.Fault"/>: the node the rig acted on).</param>
/// <param name="Kind">One of <see cref="RigEventKinds"/>.</param>
public sealed record RigEvent(DateTimeOffset Time, int Node, string Kind)
{
    public int? Peer { get; init; }
    public string? App { get; init; }
    public string? Path { get; init; }
    public string? State { get; init; }
    public string? Verdict { get; init; }
    public string? Reason { get; init; }
    public string? Fault { get; init; }
    public ulong? Incarnation { get; init; }

    /// <summary>The event-log line for a detector event of node <paramref name="node"/> (null for kinds the checker does not use).</summary>
    public static RigEvent? FromDetectorEvent(int node, DetectorEvent e) => e.Kind switch
    {
        DetectorEventKind.PathStateChanged => new RigEvent(e.Time, node, RigEventKinds.PathState)
        {
            Peer = e.PeerNodeId, Path = e.Path?.ToString(), State = e.NewPathState?.ToString(), Reason = e.Message,
        },
        DetectorEventKind.VerdictChanged => new RigEvent(e.Time, node, RigEventKinds.Verdict)
        {
            Peer = e.PeerNodeId, Verdict = e.NewVerdict?.ToString(), Reason = e.Message,
        },
        _ => null,
    };

    /// <summary>Writes this event as one JSON object (no newline).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("time", Time);
        w.WriteNumber("node", Node);
        w.WriteString("kind", Kind);
        if (Peer is { } peer)
        {
            w.WriteNumber("peer", peer);
        }

        WriteOptional(w, "app", App);
        WriteOptional(w, "path", Path);
        WriteOptional(w, "state", State);
        WriteOptional(w, "verdict", Verdict);
        WriteOptional(w, "reason", Reason);
        WriteOptional(w, "fault", Fault);
        if (Incarnation is { } inc)
        {
            w.WriteNumber("incarnation", inc);
        }

        w.WriteEndObject();
    }

    /// <summary>One JSON line.</summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteJson(w);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses one line; false with an error naming the field.</summary>
    public static bool TryParse(string line, out RigEvent? e, out string? error)
    {
        e = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement r = doc.RootElement;
            if (!JsonFields.TryGetTime(r, "time", out DateTimeOffset time, out error) ||
                !JsonFields.TryGetInt(r, "node", out int node, out error))
            {
                return false;
            }

            string? kind = JsonFields.OptionalString(r, "kind");
            if (string.IsNullOrEmpty(kind))
            {
                error = "field \"kind\": missing";
                return false;
            }

            e = new RigEvent(time, node, kind)
            {
                Peer = JsonFields.OptionalInt(r, "peer"),
                App = JsonFields.OptionalString(r, "app"),
                Path = JsonFields.OptionalString(r, "path"),
                State = JsonFields.OptionalString(r, "state"),
                Verdict = JsonFields.OptionalString(r, "verdict"),
                Reason = JsonFields.OptionalString(r, "reason"),
                Fault = JsonFields.OptionalString(r, "fault"),
                Incarnation = JsonFields.OptionalULong(r, "incarnation"),
            };
            return true;
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>Reads a whole log; malformed lines come back as errors with their line number.</summary>
    public static (List<RigEvent> Events, List<string> Errors) ReadAll(TextReader reader, string source) =>
        JsonLines.ReadAll<RigEvent>(reader, source, TryParse);

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}

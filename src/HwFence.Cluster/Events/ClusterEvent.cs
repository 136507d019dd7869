using System.Text.Json;
using System.Text.Json.Serialization;

namespace HwFence.Cluster.Events;

/// <summary>
/// One structured event. Serialised as one JSON line in the event log, streamed to followers, and
/// handed to the notification command (as HWFENCE_* environment variables and JSON on stdin).
/// </summary>
/// <param name="Time">When it happened (from the injected <see cref="TimeProvider"/>).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Node">The node that reports it.</param>
/// <param name="Message">One sentence for a human, naming what and what to do.</param>
public sealed record ClusterEvent(DateTimeOffset Time, ClusterEventKind Kind, string Node, string Message)
{
    /// <summary>The peer the event is about (fenced node, dead host…), if any.</summary>
    public string? Peer { get; init; }

    /// <summary>The application tag, if any.</summary>
    public string? Tag { get; init; }

    /// <summary>The resource or redundancy group, if any.</summary>
    public string? Group { get; init; }

    /// <summary>The path (lan:…, serial:…, disk:…), if any.</summary>
    public string? Path { get; init; }

    /// <summary>Further details (verdict, reason, device).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The event as one line of JSON (no newline inside).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ClusterEvent? FromJson(string line) => JsonSerializer.Deserialize<ClusterEvent>(line, Json);

    /// <summary>The event as environment variables, like Pacemaker's CRM_alert_* (HWFENCE_EVENT_KIND, HWFENCE_EVENT_NODE…).</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var env = new Dictionary<string, string>
        {
            ["HWFENCE_EVENT_KIND"] = JsonNamingPolicy.KebabCaseLower.ConvertName(Kind.ToString()),
            ["HWFENCE_EVENT_TIME"] = Time.ToString("O"),
            ["HWFENCE_EVENT_NODE"] = Node,
            ["HWFENCE_EVENT_MESSAGE"] = Message,
        };
        if (Peer is not null) env["HWFENCE_EVENT_PEER"] = Peer;
        if (Tag is not null) env["HWFENCE_EVENT_TAG"] = Tag;
        if (Group is not null) env["HWFENCE_EVENT_GROUP"] = Group;
        if (Path is not null) env["HWFENCE_EVENT_PATH"] = Path;
        foreach (var (k, v) in Details ?? new Dictionary<string, string>())
        {
            env["HWFENCE_EVENT_" + k.ToUpperInvariant().Replace('-', '_')] = v;
        }

        return env;
    }
}

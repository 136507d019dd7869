using System.Text.Json.Serialization;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;

namespace HwFence.Cluster.Api;

/// <summary>
/// The application an operator adds with <c>hwfence app add</c>, as the JSON argument of the
/// control socket's <c>APP-ADD</c> (PROTOCOL.md "Operator control socket").
/// </summary>
public sealed record ControlAppSpec
{
    [JsonPropertyName("tag")] public string Tag { get; init; } = "";
    [JsonPropertyName("group")] public string Group { get; init; } = "";
    [JsonPropertyName("primary")] public string Primary { get; init; } = "";
    [JsonPropertyName("backups")] public IReadOnlyList<string> Backups { get; init; } = [];
    [JsonPropertyName("argv")] public IReadOnlyList<string> Argv { get; init; } = [];
    [JsonPropertyName("env")] public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    [JsonPropertyName("workdir")] public string? WorkDir { get; init; }
    [JsonPropertyName("auto_failback")] public bool AutoFailback { get; init; } = true;
    [JsonPropertyName("restart_limit")] public int RestartLimit { get; init; } = 3;

    /// <summary>Null when the spec is complete, else which field is wrong and why.</summary>
    public string? Validate()
    {
        static bool Name(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        if (!Name(Tag))
        {
            return $"tag '{Tag}': use letters, digits, '-', '_' or '.' (1 or more)";
        }

        if (!Name(Group))
        {
            return $"application '{Tag}': group is missing or not a name";
        }

        if (!Name(Primary))
        {
            return $"application '{Tag}': primary is missing or not a node name";
        }

        if (Backups.FirstOrDefault(b => !Name(b)) is { } bad)
        {
            return $"application '{Tag}': backup '{bad}' is not a node name";
        }

        if (Backups.Contains(Primary))
        {
            return $"application '{Tag}': {Primary} is both primary and a backup";
        }

        if (Argv.Count == 0 || Argv[0].Length == 0)
        {
            return $"application '{Tag}': argv needs at least the program to run";
        }

        if (RestartLimit is < 0 or > 100)
        {
            return $"application '{Tag}': restart_limit {RestartLimit} is outside 0–100";
        }

        return null;
    }

    public ApplicationObject ToApplication() => new()
    {
        Tag = Tag,
        Group = Group,
        Type = ApplicationType.ClusterCapable,
        Command = new CommandSpec { Argv = Argv, Env = Env, WorkDir = WorkDir },
        Primary = Primary,
        Backups = Backups,
        AutoFailback = AutoFailback,
        RestartLimit = RestartLimit,
    };
}

using System.Text.Json;
using HwFence.Cluster.Events;

namespace HwFence.Cli.Hil;

/// <summary>
/// The event names a scenario may expect: every <see cref="ClusterEventKind"/> in kebab case
/// (fence-started, partition-alarm…) plus short aliases for the outcomes scenarios talk about.
/// </summary>
internal static class HilEvents
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["failover"] = "failover-completed",
        ["failback"] = "failback-completed",
        ["self-fence"] = "self-fence-requested",
        ["application-running"] = "application-started",
        ["fenced"] = "fence-succeeded",
    };

    private static readonly HashSet<string> Kinds =
        Enum.GetValues<ClusterEventKind>().Select(k => JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString())).ToHashSet(StringComparer.Ordinal);

    /// <summary>Resolves an alias or kind name to the kebab-case kind; false with the list of names otherwise.</summary>
    public static bool TryResolve(string name, out string kind, out string error)
    {
        kind = Aliases.TryGetValue(name, out var k) ? k : name;
        if (Kinds.Contains(kind))
        {
            error = "";
            return true;
        }

        error = $"unknown event '{name}'; use one of {string.Join(", ", Aliases.Keys.Concat(Kinds.Order(StringComparer.Ordinal)))}";
        return false;
    }

    /// <summary>The kebab-case name of a kind, as in events.jsonl.</summary>
    public static string Name(ClusterEventKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}

using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Database;

/// <summary>
/// The application object (design.md): what runs, where it runs now (HOST), where it prefers to
/// run (PRIMARY), who takes over (BACKUPS, in order), what it needs (RESOURCES), whether it comes
/// back by itself (AUTO_FAILBACK) and its checkpoint (MARKER). Its version lives on the
/// <see cref="ClusterRecord"/> that carries it. Replicated only to the owners of <see cref="Group"/>.
/// </summary>
public sealed record ApplicationObject
{
    public required string Tag { get; init; }
    public required string Group { get; init; }
    public ApplicationType Type { get; init; } = ApplicationType.ClusterCapable;
    public required CommandSpec Command { get; init; }

    /// <summary>Node name that runs it now; null when unloaded by the operator.</summary>
    public string? Host { get; init; }
    public required string Primary { get; init; }
    public required IReadOnlyList<string> Backups { get; init; }
    public ResourceSpec Resources { get; init; } = ResourceSpec.None;
    public bool AutoFailback { get; init; } = true;
    public int RestartLimit { get; init; } = 3;

    /// <summary>Checkpoint saved by a cluster-aware application (opaque text, e.g. base64), passed to its successor.</summary>
    public string? Marker { get; init; }

    /// <summary>Candidates in takeover order: the primary, then the backups.</summary>
    public IEnumerable<string> Candidates => Backups.Prepend(Primary).Distinct();

    public static ApplicationObject FromConfig(ApplicationConfig a) => new()
    {
        Tag = a.Tag, Group = a.Group, Type = a.Type, Command = a.Command, Primary = a.Primary, Backups = a.Backups,
        Resources = a.Resources, AutoFailback = a.AutoFailback, RestartLimit = a.RestartLimit,
    };
}

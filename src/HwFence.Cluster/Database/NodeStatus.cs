namespace HwFence.Cluster.Database;

/// <summary>
/// What a node tells its sphere of influence about itself: its incarnation, whether it has
/// resynchronised and is ready to act, which applications it cannot host (and why), and which
/// applications it is waiting to take back as primary. Written only by the node itself.
/// </summary>
public sealed record NodeStatus
{
    public required string Node { get; init; }

    /// <summary>Boot generation: a restarted node has a higher one.</summary>
    public long Incarnation { get; init; }

    /// <summary>True once the node has resynchronised with its groups (a restarted node acts only after that).</summary>
    public bool Ready { get; init; }

    /// <summary>Applications this node cannot host now, with the missing resource: the next backup takes over instead.</summary>
    public IReadOnlyDictionary<string, string> CannotHost { get; init; } = new Dictionary<string, string>();

    /// <summary>Applications for which this node is PRIMARY and waits, paused, for the backup to hand over.</summary>
    public IReadOnlyList<string> AwaitingFailback { get; init; } = [];

    /// <summary>Applications for which this node (a backup host) waits for the operator's <c>app failback</c>.</summary>
    public IReadOnlyList<string> FailbackPending { get; init; } = [];

    /// <summary>Tags running on this node right now.</summary>
    public IReadOnlyList<string> Running { get; init; } = [];
}

namespace HwFence.Cluster.Failover;

/// <summary>What a takeover candidate looks like from this node right now.</summary>
public enum Candidacy
{
    /// <summary>Alive, resynchronised and not reporting a missing resource for the application: it takes over.</summary>
    Available,

    /// <summary>Dead, partitioned away, not ready, or reporting that it cannot host the application: skip it.</summary>
    Unavailable,

    /// <summary>
    /// Suspect (late on every path, not yet Dead): it may still take over or decline within its
    /// deadtime, so candidates after it wait instead of jumping the order.
    /// </summary>
    Undecided,
}

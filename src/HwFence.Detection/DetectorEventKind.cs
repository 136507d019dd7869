namespace HwFence.Detection;

/// <summary>What a <see cref="DetectorEvent"/> reports.</summary>
public enum DetectorEventKind
{
    /// <summary>A path to a peer changed state (Up, Late, Down, ...).</summary>
    PathStateChanged,
    /// <summary>A peer's verdict changed.</summary>
    VerdictChanged,
    /// <summary>Every LAN path to a peer is Down while its serial line or drive pulse is Up: a network partition, no failover.</summary>
    PartitionAlarmRaised,
    /// <summary>The partition alarm for a peer is over.</summary>
    PartitionAlarmCleared,
    /// <summary>This node was not scheduled for longer than the stall threshold (SIGSTOP, GC pause, starvation).</summary>
    LocalStallDetected,
    /// <summary>This node's ticks are on time again after a stall; paths are being re-checked.</summary>
    LocalStallRecovered,
    /// <summary>This node's own end of a path became unusable or usable again.</summary>
    LocalPathUsabilityChanged,
    /// <summary>This node is isolated (own disk path gone, or every path to everyone Down): it must not take over.</summary>
    IsolationEntered,
    /// <summary>This node is no longer isolated.</summary>
    IsolationCleared,
    /// <summary>A peer's heartbeats carry a higher incarnation: it restarted.</summary>
    PeerRestarted,
    /// <summary>Every path to a peer is Down but the Dead verdict is withheld because this node is stalled, re-checking or isolated.</summary>
    DeadWithheld,
}

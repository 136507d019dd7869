using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>The detector's whole view at one instant (for <c>hwfence status</c> and the cluster manager).</summary>
/// <param name="Time">When the snapshot was taken.</param>
/// <param name="IsIsolated">This node is isolated and must not take over anything.</param>
/// <param name="IsolationReason">Why, when isolated.</param>
/// <param name="IsStalled">This node is late right now or was stalled and is still re-checking its paths.</param>
/// <param name="CanTakeOver">Not isolated and not stalled: a Dead verdict from this node is actionable.</param>
/// <param name="StallCount">Local stalls detected since start.</param>
/// <param name="Peers">One entry per watched peer.</param>
public sealed record DetectorSnapshot(
    DateTimeOffset Time,
    bool IsIsolated,
    string? IsolationReason,
    bool IsStalled,
    bool CanTakeOver,
    int StallCount,
    IReadOnlyList<PeerSnapshot> Peers);

/// <summary>One peer in a <see cref="DetectorSnapshot"/>.</summary>
/// <param name="NodeId">The peer's node id.</param>
/// <param name="Name">The peer's name.</param>
/// <param name="Verdict">The current verdict.</param>
/// <param name="Incarnation">The highest incarnation heard from the peer (0 before the first heartbeat).</param>
/// <param name="DeadWithheldReason">When every path is Down but Dead is withheld, why.</param>
/// <param name="Paths">One entry per configured path.</param>
public sealed record PeerSnapshot(
    int NodeId,
    string Name,
    Verdict Verdict,
    ulong Incarnation,
    string? DeadWithheldReason,
    IReadOnlyList<PathSnapshot> Paths);

/// <summary>One path in a <see cref="PeerSnapshot"/>.</summary>
/// <param name="Path">The path.</param>
/// <param name="State">Its state.</param>
/// <param name="LastHeard">Wall-clock time of the last heartbeat, null if never heard.</param>
/// <param name="Silence">Time since the last heartbeat (since the detector started watching, if never heard).</param>
/// <param name="Phi">φ accrual suspicion (0 when disabled or too few samples).</param>
/// <param name="LastSequence">The sequence number of the last heartbeat.</param>
/// <param name="LocalReason">Why this node's end of the path is unusable, when it is.</param>
public sealed record PathSnapshot(
    PathId Path,
    PathState State,
    DateTimeOffset? LastHeard,
    TimeSpan Silence,
    double Phi,
    ulong LastSequence,
    string? LocalReason);

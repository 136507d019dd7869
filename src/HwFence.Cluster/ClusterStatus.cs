using HwFence.Detection;

namespace HwFence.Cluster;

/// <summary>What <c>hwfence status</c> shows from one node's point of view (serialisable with System.Text.Json).</summary>
public sealed record ClusterStatus(
    string Node,
    bool Ready,
    IReadOnlyList<PeerStatus> Peers,
    IReadOnlyList<GroupStatus> Groups,
    IReadOnlyList<ApplicationStatus> Applications,
    IReadOnlyList<RedundancyGroups.RedundancyGroupState> RedundancyGroups);

public sealed record PeerStatus(string Node, int Id, Verdict Verdict, bool? Ready, long? Incarnation);

public sealed record GroupStatus(string Name, IReadOnlyList<string> Owners, string QuorumPolicy, bool? HasQuorum);

/// <param name="State">running (here) · hosted (by another node) · unloaded · failback pending · waiting for handover · down (HOST dead)</param>
public sealed record ApplicationStatus(string Tag, string Group, string Type, string? Host, string Primary, IReadOnlyList<string> Backups, bool AutoFailback, string State, string? Marker);

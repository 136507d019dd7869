using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>A peer the detector watches, with every path on which this node can hear it.</summary>
/// <param name="NodeId">The peer's node id.</param>
/// <param name="Name">The peer's name, for events and status.</param>
/// <param name="Paths">Every configured path to the peer; Dead needs all of them Down.</param>
public sealed record PeerDefinition(int NodeId, string Name, IReadOnlyList<PathId> Paths);

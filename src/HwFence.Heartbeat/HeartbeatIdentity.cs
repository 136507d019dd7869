using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Security;

namespace HwFence.Heartbeat;

/// <summary>Who this node is on every path: cluster, node id, boot generation and the cluster key.</summary>
public sealed class HeartbeatIdentity
{
    public HeartbeatIdentity(ulong clusterId, int nodeId, ulong incarnation, ClusterKey key)
    {
        if (nodeId is < 1 or > FrameLayout.MaxNodeId)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, $"node id must be 1–{FrameLayout.MaxNodeId}.");
        }

        if (incarnation == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(incarnation), "incarnation starts at 1 (see IncarnationStore).");
        }

        ClusterId = clusterId;
        NodeId = nodeId;
        Incarnation = incarnation;
        Key = key ?? throw new ArgumentNullException(nameof(key));
    }

    public ulong ClusterId { get; }
    public int NodeId { get; }
    public ulong Incarnation { get; }
    public ClusterKey Key { get; }
}

using HwFence.Cluster.Failover;
using HwFence.Fencing.SelfFence;

namespace HwFence.Cluster.Adapters;

/// <summary>Routes the cluster's "stop serving at any cost" to Fencing's <see cref="SelfFenceGuard"/> (guarded there to happen once).</summary>
public sealed class SelfFenceGuardAdapter(SelfFenceGuard guard) : ISelfFence
{
    public void SelfFence(string reason) => guard.SelfFence(SelfFenceReason.QuorumLost, reason);
}

using HwFence.Fencing;

namespace HwFence.Cluster.Failover;

/// <summary>
/// Fences a node for a resource group using the group's fencing methods. A failover proceeds only
/// on <see cref="FenceResult.Succeeded"/> (verified); anything else leaves the application where it was.
/// </summary>
public interface IFencer
{
    Task<FenceResult> FenceAsync(string group, int nodeId, CancellationToken cancellationToken = default);
}

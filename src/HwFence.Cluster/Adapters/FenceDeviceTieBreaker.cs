using HwFence.Cluster.Quorum;
using HwFence.Fencing;

namespace HwFence.Cluster.Adapters;

/// <summary>
/// The two-owner tie-breaker over the group's fence device on its tie-breaker disk: whoever fences
/// the other first (SCSI-3 PR PREEMPT AND ABORT of the peer's key, verified by READ KEYS) has
/// quorum; the loser's own key is gone, so its fence fails and it learns it lost.
/// </summary>
public sealed class FenceDeviceTieBreaker(IReadOnlyDictionary<string, IFenceDevice> tiebreakDeviceByGroup) : ITieBreaker
{
    public async Task<bool> TryWinAsync(string group, int peerNodeId, CancellationToken cancellationToken = default)
    {
        if (!tiebreakDeviceByGroup.TryGetValue(group, out var device))
        {
            return false;
        }

        var result = await device.FenceAsync(peerNodeId, cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }
}

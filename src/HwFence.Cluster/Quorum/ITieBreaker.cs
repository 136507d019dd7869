namespace HwFence.Cluster.Quorum;

/// <summary>
/// The tie-breaker of a two-owner group (<see cref="Configuration.QuorumPolicy.DiskTiebreak"/>):
/// the owner that wins the SCSI-3 PR PREEMPT race on the group's disk has quorum; the loser is
/// fenced off that disk by the same act. The daemon implements it with the group's fence device.
/// </summary>
public interface ITieBreaker
{
    /// <summary>Races for <paramref name="group"/>'s tie-breaker disk against <paramref name="peerNodeId"/>; true when this node won (verified).</summary>
    Task<bool> TryWinAsync(string group, int peerNodeId, CancellationToken cancellationToken = default);
}

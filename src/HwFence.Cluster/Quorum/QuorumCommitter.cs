using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Replication;

namespace HwFence.Cluster.Quorum;

/// <summary>
/// Commits a change of HOST only with the group's quorum (issue 6): proposes the new copy (term + 1)
/// to the group's owners; a majority of accepts commits it. A two-owner disk-tiebreak group whose
/// peer did not answer (and did not refuse) commits only when this node wins the tie-breaker.
/// </summary>
public sealed class QuorumCommitter(Replicator replicator, ClusterDatabase database, ITieBreaker? tieBreaker, TimeSpan ackTimeout)
{
    /// <summary>Proposes <paramref name="app"/> as the new application object; returns null on success, else why not.</summary>
    /// <param name="reachable">Owners worth asking (the detector hears them); the others count as silent without waiting for the timeout.</param>
    /// <param name="basedOn">The version the caller decided on (compare-and-swap across the quorum); null commits over whatever is current.</param>
    public async Task<string?> CommitAsync(ApplicationObject app, ResourceGroupConfig group, Func<int, bool> reachable, CancellationToken cancellationToken = default, RecordVersion? basedOn = null)
    {
        var owners = replicator.Scope.OwnersOf(group.Name);
        if (!owners.Contains(database.LocalNodeId))
        {
            return $"{replicator.Scope.NameOf(database.LocalNodeId)} is not an owner of group '{group.Name}' and cannot change HOST of '{app.Tag}'";
        }

        var current = database.VersionOf(RecordKind.Application, app.Tag);
        if (basedOn is { } b && current != b)
        {
            return $"'{app.Tag}' changed (v{b} → v{current}) since this node decided to set HOST={app.Host ?? "(none)"}; not committing";
        }

        long term = Math.Max(current.Term, replicator.PromisedTerm(RecordKind.Application, app.Tag)) + 1;
        var record = RecordCodec.Encode(app, new RecordVersion(term, 0, database.LocalNodeId));
        int needed = GroupQuorum.Majority(owners.Count);
        var result = await replicator.ProposeAsync(record, owners.Where(reachable).ToList(), needed, ackTimeout, cancellationToken, basedOn).ConfigureAwait(false);
        bool committed = result.Accepted.Count >= needed;
        if (!committed && group.Quorum == QuorumPolicy.DiskTiebreak && owners.Count == 2 && result.Refused.Count == 0 && result.Accepted.Count == 1 && tieBreaker is not null)
        {
            int peer = owners.First(o => o != database.LocalNodeId);
            committed = await tieBreaker.TryWinAsync(group.Name, peer, cancellationToken).ConfigureAwait(false);
            if (!committed)
            {
                return $"group '{group.Name}': {replicator.Scope.NameOf(peer)} did not answer and this node lost the tie-breaker on disk '{group.TiebreakDisk}'";
            }
        }

        if (!committed)
        {
            string reasons = result.Reasons.Count > 0 ? "; " + string.Join("; ", result.Reasons) : "";
            return $"group '{group.Name}': HOST={app.Host ?? "(none)"} for '{app.Tag}' got {result.Accepted.Count} of {needed} needed accepts " +
                   $"(refused by {Names(result.Refused)}, no answer from {Names(result.Silent)}){reasons}";
        }

        var outcome = replicator.Commit(record);
        return outcome == ApplyOutcome.Applied ? null : $"'{app.Tag}' changed under the proposal (store said {outcome}); re-read and retry";
    }

    private string Names(IEnumerable<int> ids)
    {
        var list = ids.Select(replicator.Scope.NameOf).ToList();
        return list.Count == 0 ? "nobody" : string.Join(", ", list);
    }
}

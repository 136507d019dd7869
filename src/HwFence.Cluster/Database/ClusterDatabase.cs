namespace HwFence.Cluster.Database;

/// <summary>
/// Typed view over an <see cref="IClusterStore"/> for one node: reads decode records, writes
/// produce the next version (local counter bump, or term bump for quorum commits) with this
/// node as writer and report the stored record so the caller can replicate it.
/// </summary>
public sealed class ClusterDatabase(IClusterStore store, int localNodeId)
{
    public IClusterStore Store { get; } = store;
    public int LocalNodeId { get; } = localNodeId;

    public ApplicationObject? GetApplication(string tag) =>
        Store.Get(RecordKind.Application, tag) is { Deleted: false } r ? RecordCodec.Decode<ApplicationObject>(r) : null;

    public RecordVersion VersionOf(RecordKind kind, string key) => Store.Get(kind, key)?.Version ?? RecordVersion.Zero;

    public IReadOnlyList<ApplicationObject> Applications() =>
        Store.List(RecordKind.Application).Where(r => !r.Deleted).Select(RecordCodec.Decode<ApplicationObject>).ToList();

    public NodeStatus? GetNodeStatus(string node) =>
        Store.Get(RecordKind.NodeStatus, node) is { Deleted: false } r ? RecordCodec.Decode<NodeStatus>(r) : null;

    public ClusterSetting? GetSetting(string key) =>
        Store.Get(RecordKind.Cluster, key) is { Deleted: false } r ? RecordCodec.Decode<ClusterSetting>(r) : null;

    /// <summary>A local update of the application (e.g. MARKER): same term, counter + 1.</summary>
    public ClusterRecord PutApplication(ApplicationObject app) => Put(RecordCodec.Encode(app, VersionOf(RecordKind.Application, app.Tag).NextLocal(LocalNodeId)));

    /// <summary>The record a quorum commit would write (term + 1); not stored until the commit succeeds.</summary>
    public ClusterRecord PrepareTermChange(ApplicationObject app) => RecordCodec.Encode(app, VersionOf(RecordKind.Application, app.Tag).NextTerm(LocalNodeId));

    /// <summary>Deletes the application: a tombstone with the next local version, so that it wins over older copies like any update.</summary>
    public ClusterRecord DeleteApplication(ApplicationObject app) =>
        Put(RecordCodec.Encode(app, VersionOf(RecordKind.Application, app.Tag).NextLocal(LocalNodeId)) with { Deleted = true });

    public ClusterRecord PutNodeStatus(NodeStatus status) => Put(RecordCodec.Encode(status, VersionOf(RecordKind.NodeStatus, status.Node).NextLocal(LocalNodeId)));

    public ClusterRecord PutSetting(ClusterSetting setting) => Put(RecordCodec.Encode(setting, VersionOf(RecordKind.Cluster, setting.Key).NextLocal(LocalNodeId)));

    private ClusterRecord Put(ClusterRecord record)
    {
        var outcome = Store.TryApply(record);
        if (outcome != ApplyOutcome.Applied)
        {
            throw new InvalidOperationException($"record {record.Kind}/{record.Key} v{record.Version} was not applied ({outcome}); a concurrent writer is newer — retry with the current version");
        }

        return record;
    }
}

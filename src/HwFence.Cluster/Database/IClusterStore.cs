namespace HwFence.Cluster.Database;

/// <summary>
/// The cluster database of one node. The only write is <see cref="TryApply"/>, an atomic
/// apply-if-newer: a copy replaces the stored one only when its <see cref="RecordVersion"/> is
/// greater, so replaying, reordering or duplicating updates (after a partition or restart)
/// converges on the newest copy everywhere. Backends: <see cref="SqliteClusterStore"/> (default,
/// one file per node), <see cref="InMemoryClusterStore"/>; a distributed engine (etcd: a
/// transaction comparing the version key) can implement the same contract. Every backend passes
/// the shared contract tests (tests/HwFence.Cluster.Tests/Database/ClusterStoreContractTests.cs).
/// </summary>
public interface IClusterStore : IDisposable
{
    /// <summary>Stores <paramref name="record"/> if it is newer than the stored copy; atomic per key.</summary>
    ApplyOutcome TryApply(ClusterRecord record);

    /// <summary>The stored copy (tombstones included), or null.</summary>
    ClusterRecord? Get(RecordKind kind, string key);

    /// <summary>All records of a kind (tombstones included), ordered by key.</summary>
    IReadOnlyList<ClusterRecord> List(RecordKind kind);

    /// <summary>(kind, key, version) of every record, for anti-entropy.</summary>
    IReadOnlyList<RecordDigest> Digest();
}

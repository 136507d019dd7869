using System.Text.Json.Serialization;

namespace HwFence.Cluster.Database;

/// <summary>
/// One versioned record as stored and replicated: the typed content is JSON in <see cref="Payload"/>
/// (see <see cref="RecordCodec"/>), so stores and the wire never need to know the record types.
/// A deletion is a tombstone (<see cref="Deleted"/>) with a newer version, so it wins like any update.
/// </summary>
public sealed record ClusterRecord(RecordKind Kind, string Key, RecordVersion Version, byte[] Payload, bool Deleted = false)
{
    [JsonIgnore]
    public RecordDigest Digest => new(Kind, Key, Version);
}

/// <summary>What anti-entropy exchanges: which record, at which version.</summary>
public readonly record struct RecordDigest(RecordKind Kind, string Key, RecordVersion Version);

/// <summary>Outcome of <see cref="IClusterStore.TryApply"/>.</summary>
public enum ApplyOutcome
{
    /// <summary>The copy was newer and replaced the stored one (or there was none).</summary>
    Applied,
    /// <summary>The stored copy is the same version; nothing changed.</summary>
    Duplicate,
    /// <summary>The stored copy is newer; the offered one was ignored (never the reverse).</summary>
    Stale,
}

namespace HwFence.Cluster.Database;

/// <summary>A process-local store: for tests, and for nodes that keep nothing across restarts.</summary>
public sealed class InMemoryClusterStore : IClusterStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(RecordKind, string), ClusterRecord> _records = new();

    public ApplyOutcome TryApply(ClusterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (_records.TryGetValue((record.Kind, record.Key), out var current))
            {
                int c = record.Version.CompareTo(current.Version);
                if (c == 0)
                {
                    return ApplyOutcome.Duplicate;
                }

                if (c < 0)
                {
                    return ApplyOutcome.Stale;
                }
            }

            _records[(record.Kind, record.Key)] = record with { Payload = record.Payload.ToArray() };
            return ApplyOutcome.Applied;
        }
    }

    public ClusterRecord? Get(RecordKind kind, string key)
    {
        lock (_gate)
        {
            return _records.GetValueOrDefault((kind, key));
        }
    }

    public IReadOnlyList<ClusterRecord> List(RecordKind kind)
    {
        lock (_gate)
        {
            return _records.Values.Where(r => r.Kind == kind).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<RecordDigest> Digest()
    {
        lock (_gate)
        {
            return _records.Values.Select(r => r.Digest).ToList();
        }
    }

    public void Dispose()
    {
    }
}

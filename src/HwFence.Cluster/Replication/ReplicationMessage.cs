using HwFence.Cluster.Database;

namespace HwFence.Cluster.Replication;

/// <summary>What replication messages do (the <c>type</c> field of <see cref="ReplicationMessage"/>).</summary>
public enum ReplicationMessageType
{
    /// <summary>Records pushed to a peer that should hold them (a local change, a commit, a resync answer).</summary>
    Update,
    /// <summary>Anti-entropy, step 1: "these are my versions of what we share".</summary>
    Digest,
    /// <summary>Anti-entropy, step 2: the answer after pushing what the asker lacked; <c>Need</c> lists what it should push back.</summary>
    DigestReply,
    /// <summary>Quorum commit, step 1: "accept this copy" (a HOST change).</summary>
    Propose,
    /// <summary>Quorum commit, step 2: accepted or not, with the acceptor's promised term.</summary>
    Ack,
}

/// <summary>
/// One replication message. Encoded as UTF-8 JSON (records carry their payload as base64) and
/// split into LAN-sized fragments by <see cref="MessageFragmenter"/>. JSON keeps the format
/// debuggable with tcpdump; records are small and changes rare, so size is not a concern.
/// </summary>
public sealed record ReplicationMessage
{
    public required ReplicationMessageType Type { get; init; }
    public IReadOnlyList<ClusterRecord>? Records { get; init; }
    public IReadOnlyList<RecordDigest>? Digests { get; init; }
    public IReadOnlyList<RecordDigest>? Need { get; init; }
    public long ProposalId { get; init; }

    /// <summary>
    /// In a Propose: the version of the record the proposer decided on (compare-and-swap). An
    /// acceptor holding a newer version refuses: the record changed after the decision was made.
    /// </summary>
    public RecordVersion? BasedOn { get; init; }
    public bool Accepted { get; init; }

    /// <summary>In an Ack: the highest term the acceptor has promised for the key, so a refused proposer can retry above it.</summary>
    public long PromisedTerm { get; init; }
    public string? Reason { get; init; }

    public byte[] Encode() => RecordCodec.Serialize(this);

    /// <summary>Non-throwing decode: false and an error naming what was wrong for malformed input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8, out ReplicationMessage? message, out string? error)
    {
        message = null;
        error = null;
        try
        {
            message = RecordCodec.Deserialize<ReplicationMessage>(utf8);
        }
        catch (System.Text.Json.JsonException e)
        {
            error = $"replication message is not valid JSON at {e.Path ?? "$"}: {e.Message}";
            return false;
        }

        if (message is null)
        {
            error = "replication message is empty (null)";
            return false;
        }

        bool ok = message.Type switch
        {
            ReplicationMessageType.Update or ReplicationMessageType.Propose => message.Records is { Count: > 0 },
            ReplicationMessageType.Digest => message.Digests is not null,
            _ => true,
        };
        if (!ok)
        {
            error = $"replication message of type {message.Type} lacks its {(message.Type == ReplicationMessageType.Digest ? "digests" : "records")} field";
            message = null;
        }

        return ok;
    }
}

namespace HwFence.Cluster.Replication;

/// <summary>
/// The transport replication rides on: the authenticated LAN channel (Heartbeat's LanChannel in the
/// daemon, <see cref="InProcessNetwork"/> in tests). Datagram semantics: a send may be lost,
/// duplicated or reordered; the replication protocol tolerates all three (apply-if-newer,
/// anti-entropy, proposals that time out). Payloads larger than <see cref="MaxPayload"/> are
/// split by <see cref="MessageFragmenter"/> before they get here.
/// </summary>
public interface IClusterMessenger
{
    /// <summary>Largest payload one <see cref="Send"/> carries (the LAN channel's ~1200 bytes: one unfragmented IPv6 datagram).</summary>
    int MaxPayload { get; }

    /// <summary>Sends <paramref name="payload"/> to node <paramref name="peerNodeId"/>; must not block on the network.</summary>
    void Send(int peerNodeId, ReadOnlySpan<byte> payload);

    /// <summary>Raised for each authenticated payload from a peer (sender's node id, payload valid only during the call).</summary>
    event MessageHandler? MessageReceived;
}

/// <summary>Receives one payload; the span is valid only during the call.</summary>
public delegate void MessageHandler(int fromNodeId, ReadOnlySpan<byte> payload);

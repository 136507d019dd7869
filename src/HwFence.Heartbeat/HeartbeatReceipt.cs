namespace HwFence.Heartbeat;

/// <summary>
/// One authenticated, fresh heartbeat heard from a peer on one path. Channels report only
/// frames that passed authentication and the replay window; the drive pulse reports one receipt
/// per observed change of the peer's pulse.
/// </summary>
/// <param name="PeerNodeId">The sender's node id.</param>
/// <param name="Path">The path it arrived on.</param>
/// <param name="Incarnation">The sender's boot generation.</param>
/// <param name="Sequence">The sender's sequence number (per incarnation; for the drive pulse, the observed counter or generation).</param>
/// <param name="ReceivedTimestamp">Local <see cref="TimeProvider.GetTimestamp"/> when it was received.</param>
public readonly record struct HeartbeatReceipt(
    int PeerNodeId,
    PathId Path,
    ulong Incarnation,
    ulong Sequence,
    long ReceivedTimestamp);

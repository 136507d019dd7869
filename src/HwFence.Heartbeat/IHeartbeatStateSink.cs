namespace HwFence.Heartbeat;

/// <summary>
/// Receives the state section of each accepted heartbeat (after <see cref="IHeartbeatSink.OnHeartbeat"/>).
/// The same state typically arrives on every path; deduplicate on (peer, incarnation) and content.
/// The span is only valid during the call.
/// </summary>
public interface IHeartbeatStateSink
{
    void OnPeerState(int peerNodeId, PathId path, ulong incarnation, ReadOnlySpan<byte> state);
}

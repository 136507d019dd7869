namespace HwFence.Heartbeat;

/// <summary>
/// Receives authenticated, replay-checked message frames (the cluster manager's database
/// replication and control traffic). Called on the channel's receive thread; the payload is a view
/// of the receive buffer, valid only during the call — copy what you keep, and return quickly.
/// </summary>
public interface IMessageSink
{
    void OnMessage(int peerNodeId, PathId path, ReadOnlySpan<byte> payload);
}

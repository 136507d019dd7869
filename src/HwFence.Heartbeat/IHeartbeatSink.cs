namespace HwFence.Heartbeat;

/// <summary>
/// Where channels report what they hear; the failure detector implements it. Calls come from
/// channel threads and must return quickly without blocking.
/// </summary>
public interface IHeartbeatSink
{
    /// <summary>A fresh, authenticated heartbeat from a peer.</summary>
    void OnHeartbeat(in HeartbeatReceipt receipt);

    /// <summary>
    /// This node's own end of a path changed usability: the disk is unreachable from here, the
    /// serial device was unplugged, the network interface went away (or came back). Distinct from
    /// "peer silent": a path that is unusable locally says nothing about the peer.
    /// </summary>
    void OnLocalPathState(PathId path, bool usable, string? reason);
}

using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat;

/// <summary>One path to the peers (a LAN ring, a serial cable, a shared disk), sending and listening.</summary>
public interface IHeartbeatChannel : IDisposable
{
    /// <summary>The path this channel is (<c>lan:…</c>, <c>serial:…</c>, <c>disk:…</c>).</summary>
    PathId Path { get; }

    /// <summary>Sent, received and dropped frames, for <c>hwfence status</c>.</summary>
    ChannelCounters Counters { get; }

    /// <summary>Whether this node's own end of the path currently works (socket bound, tty open, disk reachable).</summary>
    bool LocallyUsable { get; }

    /// <summary>Opens the path and starts the send timer and the receiver. Failing to open is not an error: the channel reports the path unusable and keeps retrying.</summary>
    void Start();
}

using System.Runtime.InteropServices;

namespace HwFence.Heartbeat.Frames;

/// <summary>
/// The receive half every channel shares: decode and authenticate (<see cref="FrameCodec"/>), drop
/// our own and misaddressed frames, run the per-sender replay window of this path, then report —
/// heartbeats to <see cref="IHeartbeatSink"/> (and their state to <see cref="IHeartbeatStateSink"/>),
/// messages to <see cref="IMessageSink"/>. Never throws for anything received, never allocates
/// once each sender has been heard once. One instance per path, used by one receive thread.
/// </summary>
public sealed class FrameReceiver
{
    private readonly HeartbeatIdentity _identity;
    private readonly ChannelCallbacks _callbacks;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, ReplayWindow> _windows = new();

    public FrameReceiver(HeartbeatIdentity identity, PathId path, ChannelCallbacks callbacks, ChannelCounters counters, TimeProvider time)
    {
        _identity = identity;
        Path = path;
        _callbacks = callbacks;
        Counters = counters;
        _time = time;
    }

    public PathId Path { get; }

    public ChannelCounters Counters { get; }

    /// <summary>Checks one received frame and reports it; returns why it was dropped, or <see cref="DropReason.None"/>.</summary>
    public DropReason Receive(ReadOnlySpan<byte> frame)
    {
        long received = _time.GetTimestamp();
        DropReason reason = FrameCodec.TryDecode(frame, _identity.ClusterId, _identity.Key, out DecodedFrame decoded);
        if (reason == DropReason.None)
        {
            reason = Admit(decoded.Header);
        }

        if (reason != DropReason.None)
        {
            Counters.OnDropped(reason);
            return reason;
        }

        Counters.OnAccepted();
        FrameHeader h = decoded.Header;
        if (h.Type == FrameType.Heartbeat)
        {
            _callbacks.Heartbeats.OnHeartbeat(new HeartbeatReceipt(h.Sender, Path, h.Incarnation, h.Sequence, received));
            _callbacks.StateSink?.OnPeerState(h.Sender, Path, h.Incarnation, decoded.Payload);
        }
        else
        {
            _callbacks.Messages?.OnMessage(h.Sender, Path, decoded.Payload);
        }

        return DropReason.None;
    }

    /// <summary>The replay window state for a peer on this path (tests, status).</summary>
    public bool TryGetWindow(int peerNodeId, out ReplayWindow window) => _windows.TryGetValue(peerNodeId, out window);

    private DropReason Admit(in FrameHeader h)
    {
        if (h.Sender == _identity.NodeId)
        {
            return DropReason.OwnFrame;
        }

        if (h.Destination != 0 && h.Destination != _identity.NodeId)
        {
            return DropReason.NotForUs;
        }

        ref ReplayWindow window = ref CollectionsMarshal.GetValueRefOrAddDefault(_windows, h.Sender, out _);
        return window.CheckAndUpdate(h.Incarnation, h.Sequence);
    }
}

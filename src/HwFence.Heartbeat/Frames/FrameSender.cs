namespace HwFence.Heartbeat.Frames;

/// <summary>
/// The send half every channel shares: one sequence counter per path (from 1, never reused within
/// an incarnation, shared by heartbeats and messages so one replay window covers both), the state
/// section from <see cref="IHeartbeatStateProvider"/>, and the sender timestamp. Thread-safe:
/// heartbeats come from the send timer while messages may be sent from any thread.
/// </summary>
public sealed class FrameSender
{
    private readonly HeartbeatIdentity _identity;
    private readonly IHeartbeatStateProvider? _state;
    private readonly TimeProvider _time;
    private long _sequence;

    public FrameSender(HeartbeatIdentity identity, IHeartbeatStateProvider? state, TimeProvider time)
    {
        _identity = identity;
        _state = state;
        _time = time;
    }

    /// <summary>The last sequence number used.</summary>
    public ulong LastSequence => (ulong)Interlocked.Read(ref _sequence);

    /// <summary>Encodes the next heartbeat (to every node) into <paramref name="destination"/> (at least <see cref="FrameLayout.Overhead"/> + <see cref="FrameLayout.MaxStateLength"/> bytes).</summary>
    public int EncodeHeartbeat(Span<byte> destination)
    {
        Span<byte> state = stackalloc byte[FrameLayout.MaxStateLength];
        int stateLength = 0;
        if (_state is not null)
        {
            stateLength = _state.WriteState(state);
            if ((uint)stateLength > FrameLayout.MaxStateLength)
            {
                throw new InvalidOperationException(
                    $"heartbeat state provider returned {stateLength} bytes; the state section holds at most {FrameLayout.MaxStateLength}.");
            }
        }

        return FrameCodec.Encode(Header(FrameType.Heartbeat, 0), state[..stateLength], _identity.Key, destination);
    }

    /// <summary>Encodes the next message to <paramref name="peerNodeId"/>.</summary>
    public int EncodeMessage(int peerNodeId, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (peerNodeId is < 1 or > FrameLayout.MaxNodeId)
        {
            throw new ArgumentOutOfRangeException(nameof(peerNodeId), peerNodeId, $"peer node id must be 1–{FrameLayout.MaxNodeId}.");
        }

        if (payload.Length > FrameLayout.MaxMessageLength)
        {
            throw new ArgumentException(
                $"message of {payload.Length} bytes to node {peerNodeId} exceeds the {FrameLayout.MaxMessageLength}-byte limit of one " +
                "frame (one unfragmented UDP datagram); split it into several messages.", nameof(payload));
        }

        return FrameCodec.Encode(Header(FrameType.Message, peerNodeId), payload, _identity.Key, destination);
    }

    private FrameHeader Header(FrameType type, int destination) => new(
        type,
        _identity.ClusterId,
        _identity.NodeId,
        destination,
        _identity.Incarnation,
        (ulong)Interlocked.Increment(ref _sequence),
        _time.GetElapsedTime(0, _time.GetTimestamp()).Ticks / 10);
}

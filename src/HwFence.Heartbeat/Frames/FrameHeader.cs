namespace HwFence.Heartbeat.Frames;

/// <summary>The fixed fields of a frame (<see cref="FrameLayout"/>), without payload and tag.</summary>
/// <param name="Type">Heartbeat or message.</param>
/// <param name="ClusterId">The sender's cluster; frames of another cluster are dropped before the tag is checked.</param>
/// <param name="Sender">Sender node id, 1–65535.</param>
/// <param name="Destination">Addressee node id, or 0 for every node (heartbeats).</param>
/// <param name="Incarnation">Sender boot generation (<see cref="IncarnationStore"/>).</param>
/// <param name="Sequence">Per sender, per path, from 1; the replay window's key.</param>
/// <param name="SenderTimestampMicros">Sender's monotonic clock in microseconds; for diagnostics (RTT, clock stalls), never for ordering.</param>
public readonly record struct FrameHeader(
    FrameType Type,
    ulong ClusterId,
    int Sender,
    int Destination,
    ulong Incarnation,
    ulong Sequence,
    long SenderTimestampMicros);

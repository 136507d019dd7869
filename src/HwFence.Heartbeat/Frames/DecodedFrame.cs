namespace HwFence.Heartbeat.Frames;

/// <summary>
/// A frame that passed structure, cluster and tag checks. A view over the receive buffer: valid
/// only until the buffer is reused, so sinks must copy what they keep.
/// </summary>
public readonly ref struct DecodedFrame
{
    public DecodedFrame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    public FrameHeader Header { get; }

    /// <summary>The heartbeat state section or the message.</summary>
    public ReadOnlySpan<byte> Payload { get; }
}

namespace HwFence.Heartbeat;

/// <summary>
/// Supplies the small state section every outgoing heartbeat carries (for the cluster manager: the
/// applications this node hosts, its view epoch). Opaque bytes to the heartbeat layer, at most
/// <see cref="Frames.FrameLayout.MaxStateLength"/> (256) so a 19200-baud serial line keeps up at the
/// default interval. Called from the channel's send timer: write into <paramref name="destination"/>
/// without allocating or blocking.
/// </summary>
public interface IHeartbeatStateProvider
{
    /// <summary>Writes the current state and returns its length (0 for none).</summary>
    int WriteState(Span<byte> destination);
}

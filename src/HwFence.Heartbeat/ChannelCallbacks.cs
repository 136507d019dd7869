namespace HwFence.Heartbeat;

/// <summary>Where a channel reports, and where it gets its outgoing state section. Only <see cref="Heartbeats"/> is required.</summary>
/// <param name="Heartbeats">The failure detector.</param>
/// <param name="Messages">The cluster manager's message handler; messages are counted and discarded without one.</param>
/// <param name="StateProvider">Source of the heartbeat state section; empty without one.</param>
/// <param name="StateSink">Receiver of peers' state sections.</param>
public sealed record ChannelCallbacks(
    IHeartbeatSink Heartbeats,
    IMessageSink? Messages = null,
    IHeartbeatStateProvider? StateProvider = null,
    IHeartbeatStateSink? StateSink = null);

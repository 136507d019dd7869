using HwFence.Cluster.Replication;
using HwFence.Heartbeat;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Lan;

namespace HwFence.Cluster.Adapters;

/// <summary>
/// Replication over Heartbeat's authenticated LAN channels. Create it first, pass it as
/// <see cref="ChannelCallbacks.Messages"/> to each <see cref="LanChannel"/>, then <see cref="Attach"/>
/// the channels. A send goes out on the first network that takes it (with two rings, the second
/// carries replication while the first is down).
/// </summary>
public sealed class LanMessenger : IClusterMessenger, IMessageSink
{
    private readonly List<LanChannel> _channels = new();

    public int MaxPayload => FrameLayout.MaxMessageLength;

    public event MessageHandler? MessageReceived;

    public void Attach(LanChannel channel)
    {
        lock (_channels)
        {
            _channels.Add(channel);
        }
    }

    public void Send(int peerNodeId, ReadOnlySpan<byte> payload)
    {
        LanChannel[] channels;
        lock (_channels)
        {
            channels = _channels.ToArray();
        }

        foreach (var channel in channels)
        {
            if (channel.LocallyUsable && channel.SendMessage(peerNodeId, payload))
            {
                return;
            }
        }

        // Every network down locally: the message is lost like a dropped datagram; anti-entropy repairs it.
    }

    public void OnMessage(int peerNodeId, PathId path, ReadOnlySpan<byte> payload) => MessageReceived?.Invoke(peerNodeId, payload);
}

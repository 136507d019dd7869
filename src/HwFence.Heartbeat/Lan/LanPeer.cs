using System.Net;

namespace HwFence.Heartbeat.Lan;

/// <summary>A peer as seen on one LAN path: its node id and its address on that network.</summary>
public sealed record LanPeer(int NodeId, IPEndPoint EndPoint);

using System.Net;
using System.Net.Sockets;
using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Lan;

/// <summary>One LAN path (one network / redundant ring) of this node.</summary>
public sealed class LanChannelOptions
{
    /// <summary>Default UDP port: 5405 + 1 would collide with corosync's 5405/5404; HwFence uses 5410.</summary>
    public const int DefaultPort = 5410;

    /// <summary>This node's address and port on this network; the socket binds to exactly it (not the wildcard), so each network is its own path.</summary>
    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>Every peer's address on this network; heartbeats go to each by unicast.</summary>
    public IReadOnlyList<LanPeer> Peers { get; init; } = [];

    /// <summary>
    /// Optional multicast group (e.g. 239.192.77.1:5410). When set, heartbeats go once to the group
    /// instead of to each peer, and the socket binds to the wildcard address on the group's port,
    /// joined on <see cref="LocalEndPoint"/>'s interface (a socket bound to a unicast address does not
    /// receive multicast on Linux). Messages are always unicast. Default: none (unicast only).
    /// </summary>
    public IPEndPoint? MulticastGroup { get; init; }

    /// <summary>Path name; default the local address ("lan:10.0.0.1").</summary>
    public string? PathName { get; init; }

    /// <summary>Send interval. Default 1 s: the classic heartbeat keepalive (Linux-HA heartbeat, corosync's token timeout of 1000 ms); a 10 s deadtime then tolerates 9 lost frames.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait before re-creating a failed socket, doubling up to <see cref="ReopenMax"/>. Default 1 s.</summary>
    public TimeSpan ReopenInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts to re-create the socket. Default 30 s: an interface that comes back is in use within half a minute without busy retries.</summary>
    public TimeSpan ReopenMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The path's id.</summary>
    public PathId Path => PathId.Lan(PathName ?? LocalEndPoint.Address.ToString());

    /// <summary>Returns every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero || Interval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"lan {Path}: interval {Interval} must be between 0 and 1 minute.");
        }

        if (ReopenInitial <= TimeSpan.Zero || ReopenMax < ReopenInitial)
        {
            errors.Add($"lan {Path}: reopen backoff {ReopenInitial}..{ReopenMax} must be positive and increasing.");
        }

        foreach (var peer in Peers)
        {
            if (peer.NodeId is < 1 or > FrameLayout.MaxNodeId)
            {
                errors.Add($"lan {Path}: peer node id {peer.NodeId} must be 1–{FrameLayout.MaxNodeId}.");
            }

            if (peer.EndPoint.AddressFamily != LocalEndPoint.AddressFamily)
            {
                errors.Add($"lan {Path}: peer {peer.NodeId} address {peer.EndPoint} is not in the local address's family ({LocalEndPoint.AddressFamily}).");
            }
        }

        foreach (var dup in Peers.GroupBy(p => p.NodeId).Where(g => g.Count() > 1))
        {
            errors.Add($"lan {Path}: node {dup.Key} is listed {dup.Count()} times; one address per peer per network.");
        }

        if (MulticastGroup is { } g && (g.AddressFamily != AddressFamily.InterNetwork || !IsMulticast(g.Address)))
        {
            errors.Add($"lan {Path}: multicast group {g} must be an IPv4 multicast address (224.0.0.0/4).");
        }

        return errors;
    }

    private static bool IsMulticast(IPAddress a) => (a.GetAddressBytes()[0] & 0xF0) == 0xE0;
}

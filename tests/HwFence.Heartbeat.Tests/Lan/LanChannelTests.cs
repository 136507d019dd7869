using System.Net;
using System.Net.Sockets;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.Lan;

/// <summary>Two LAN channels over real UDP on 127.0.0.1; the send timers run on a fake clock.</summary>
public sealed class LanChannelTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<IDisposable> _cleanup = new();

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_cleanup))
        {
            d.Dispose();
        }
    }

    private (LanChannel Channel, RecordingSink Sink) Node(int id, int port, (int Id, int Port)[] peers, IHeartbeatStateProvider? state = null, ulong clusterId = TestIdentities.ClusterId)
    {
        var sink = new RecordingSink();
        var options = new LanChannelOptions
        {
            LocalEndPoint = UdpPorts.Loopback(port),
            Peers = peers.Select(p => new LanPeer(p.Id, UdpPorts.Loopback(p.Port))).ToArray(),
            PathName = "ring0",
        };
        var channel = new LanChannel(TestIdentities.Node(id, clusterId: clusterId), options, new ChannelCallbacks(sink, sink, state, sink), _time);
        _cleanup.Add(channel);
        return (channel, sink);
    }

    [Fact]
    public void Heartbeats_with_state_flow_both_ways_each_interval()
    {
        int p1 = UdpPorts.Allocate(), p2 = UdpPorts.Allocate();
        var (a, sinkA) = Node(1, p1, [(2, p2)], new FixedState("hosts:web"u8.ToArray()));
        var (b, sinkB) = Node(2, p2, [(1, p1)]);
        a.Start();
        b.Start();
        Assert.True(a.LocallyUsable && b.LocallyUsable);

        for (int i = 1; i <= 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            sinkA.WaitUntil(s => s.Heartbeats.Count >= i, $"heartbeat {i} at node 1");
            sinkB.WaitUntil(s => s.Heartbeats.Count >= i, $"heartbeat {i} at node 2");
        }

        var r = sinkB.Snapshot(s => s.Heartbeats.Last());
        Assert.Equal(1, r.PeerNodeId);
        Assert.Equal(PathId.Lan("ring0"), r.Path);
        Assert.Equal(3UL, r.Sequence);
        Assert.Equal("hosts:web"u8.ToArray(), sinkB.Snapshot(s => s.States.Last().State));
        Assert.Equal(3, a.Counters.Sent);
        Assert.Equal(3, b.Counters.Accepted);
        Assert.Equal(0, b.Counters.DroppedTotal);
    }

    [Fact]
    public void Messages_are_delivered_authenticated_and_oversized_ones_refused()
    {
        int p1 = UdpPorts.Allocate(), p2 = UdpPorts.Allocate();
        var (a, _) = Node(1, p1, [(2, p2)]);
        var (b, sinkB) = Node(2, p2, [(1, p1)]);
        a.Start();
        b.Start();

        Assert.True(a.SendMessage(2, "db: set app/web host=1 v=8"u8));
        sinkB.WaitUntil(s => s.Messages.Count == 1, "the message");
        Assert.Equal("db: set app/web host=1 v=8"u8.ToArray(), sinkB.Snapshot(s => s.Messages[0].Payload));

        var big = Assert.Throws<ArgumentException>(() => a.SendMessage(2, new byte[FrameLayout.MaxMessageLength + 1]));
        Assert.Contains("1172", big.Message);
        var unknown = Assert.Throws<ArgumentException>(() => a.SendMessage(9, [1]));
        Assert.Contains("node 9", unknown.Message);
    }

    [Fact]
    public void A_closed_socket_is_reported_unusable_and_recreated_after_the_backoff()
    {
        int p1 = UdpPorts.Allocate(), p2 = UdpPorts.Allocate();
        var (a, sinkA) = Node(1, p1, [(2, p2)]);
        var (b, sinkB) = Node(2, p2, [(1, p1)]);
        a.Start();
        b.Start();

        b.BreakSocket(); // as if the interface went away under the receiver
        sinkB.WaitUntil(s => s.PathStates.Count(p => !p.Usable) == 1, "node 2 to notice its socket is gone");
        Assert.False(b.LocallyUsable);
        Assert.Contains("receive failed", sinkB.Snapshot(s => s.PathStates.Last().Reason));

        _time.Advance(TimeSpan.FromSeconds(1)); // tick + backoff (1 s) elapsed: the socket comes back
        sinkB.WaitUntil(s => s.PathStates.Count(p => p.Usable) == 2, "node 2 to re-create its socket");
        _time.Advance(TimeSpan.FromSeconds(1));
        sinkB.WaitUntil(s => s.Heartbeats.Count >= 1, "heartbeats again after recovery");
        sinkA.WaitUntil(s => s.Heartbeats.Count >= 1, "node 1 hears node 2 again");
    }

    [Fact]
    public void An_address_that_cannot_be_bound_is_retried_with_backoff_until_it_is_free()
    {
        int p1 = UdpPorts.Allocate();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(UdpPorts.Loopback(p1)); // the address is not available to the channel
        var (a, sinkA) = Node(1, p1, [(2, UdpPorts.Allocate())]);
        a.Start();
        Assert.False(a.LocallyUsable);
        Assert.Contains($"cannot bind 127.0.0.1:{p1}", sinkA.Snapshot(s => s.PathStates.Single().Reason));

        _time.Advance(TimeSpan.FromSeconds(1)); // retry 1 fails, backoff doubles to 2 s
        _time.Advance(TimeSpan.FromSeconds(1)); // not yet due
        Assert.False(a.LocallyUsable);
        squatter.Dispose();                      // the interface is back
        _time.Advance(TimeSpan.FromSeconds(1)); // due: binds
        Assert.True(a.LocallyUsable);
        Assert.Equal(new[] { false, true }, sinkA.Snapshot(s => s.PathStates.Select(p => p.Usable).ToArray()));
    }

    [Fact]
    public void A_second_cluster_on_the_same_wire_is_counted_as_foreign_and_not_reported()
    {
        int p1 = UdpPorts.Allocate(), p2 = UdpPorts.Allocate();
        var (stranger, _) = Node(2, p1, [(1, p2)], clusterId: 0xBAD);
        var (b, sinkB) = Node(1, p2, [(2, p1)]);
        stranger.Start();
        b.Start();
        stranger.SendHeartbeat();
        stranger.SendHeartbeat();
        SpinWait.SpinUntil(() => b.Counters.Dropped(DropReason.ForeignCluster) == 2, RecordingSink.WaitLimit);
        Assert.Equal(2, b.Counters.Dropped(DropReason.ForeignCluster));
        Assert.Empty(sinkB.Snapshot(s => s.Heartbeats.ToArray()));
    }

    [Fact]
    public void Raw_datagrams_replayed_by_an_attacker_are_dropped_as_replays()
    {
        int p1 = UdpPorts.Allocate(), p2 = UdpPorts.Allocate();
        var (b, sinkB) = Node(2, p2, [(1, p1)]);
        b.Start();
        using var spy = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        spy.Bind(UdpPorts.Loopback(p1)); // capture what node 1 would send
        var (a, _) = Node(1, UdpPorts.Allocate(), [(2, p1)]); // node 1 sends to the spy instead
        a.Start();
        a.SendHeartbeat();
        var captured = new byte[2048];
        spy.ReceiveTimeout = (int)RecordingSink.WaitLimit.TotalMilliseconds;
        int n = spy.Receive(captured);

        var target = UdpPorts.Loopback(p2);
        spy.SendTo(captured.AsSpan(0, n), target);
        sinkB.WaitUntil(s => s.Heartbeats.Count == 1, "the original");
        spy.SendTo(captured.AsSpan(0, n), target);
        spy.SendTo(captured.AsSpan(0, n - 3), target); // truncated
        SpinWait.SpinUntil(() => b.Counters.DroppedTotal == 2, RecordingSink.WaitLimit);
        Assert.Equal(1, b.Counters.Dropped(DropReason.Replay));
        Assert.Equal(1, b.Counters.Dropped(DropReason.Malformed));
        Assert.Equal(1, sinkB.HeartbeatCount);
    }

    [RequiresLoopbackMulticastFact]
    public void Multicast_heartbeats_reach_every_member_and_our_own_copies_are_dropped()
    {
        int groupPort = UdpPorts.Allocate();
        var group = new IPEndPoint(RequiresLoopbackMulticastFactAttribute.Group, groupPort);
        var sinks = new List<RecordingSink>();
        var channels = new List<LanChannel>();
        for (int node = 1; node <= 3; node++)
        {
            var sink = new RecordingSink();
            var channel = new LanChannel(TestIdentities.Node(node), new LanChannelOptions
            {
                LocalEndPoint = UdpPorts.Loopback(0),
                MulticastGroup = group,
                Peers = Enumerable.Range(1, 3).Where(p => p != node).Select(p => new LanPeer(p, UdpPorts.Loopback(groupPort))).ToArray(),
            }, new ChannelCallbacks(sink), _time);
            _cleanup.Add(channel);
            channel.Start();
            sinks.Add(sink);
            channels.Add(channel);
        }

        _time.Advance(TimeSpan.FromSeconds(1)); // each node sends ONE datagram to the group
        foreach (var sink in sinks)
        {
            sink.WaitUntil(s => s.Heartbeats.Select(h => h.PeerNodeId).Distinct().Count() == 2, "heartbeats from both other members");
        }

        Assert.All(channels, c => Assert.Equal(1, c.Counters.Sent));
        SpinWait.SpinUntil(() => channels.All(c => c.Counters.Dropped(DropReason.OwnFrame) == 1), RecordingSink.WaitLimit);
        Assert.All(channels, c => Assert.Equal(1, c.Counters.Dropped(DropReason.OwnFrame)));
    }

    [Fact]
    public void Options_validation_names_every_problem()
    {
        var options = new LanChannelOptions
        {
            LocalEndPoint = UdpPorts.Loopback(1),
            Peers = [new LanPeer(0, UdpPorts.Loopback(2)), new LanPeer(3, new IPEndPoint(IPAddress.IPv6Loopback, 2)), new LanPeer(3, UdpPorts.Loopback(4))],
            Interval = TimeSpan.Zero,
            MulticastGroup = UdpPorts.Loopback(5),
        };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.Contains("interval"));
        Assert.Contains(errors, e => e.Contains("peer node id 0"));
        Assert.Contains(errors, e => e.Contains("family"));
        Assert.Contains(errors, e => e.Contains("node 3 is listed 2 times"));
        Assert.Contains(errors, e => e.Contains("multicast"));
    }
}

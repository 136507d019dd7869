using HwFence.Cluster.Tests.Fakes;
using System.Net;
using System.Net.Sockets;
using HwFence.Cluster.Adapters;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Replication;
using HwFence.Heartbeat;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Security;

namespace HwFence.Cluster.Tests.Adapters;

/// <summary>Replication over Heartbeat's real, authenticated LAN channel on loopback UDP.</summary>
public sealed class LanReplicationTests : IDisposable
{
    private readonly List<IDisposable> _disposables = new();
    private readonly Dictionary<int, (Replicator R, ClusterDatabase Db)> _nodes = new();

    public LanReplicationTests()
    {
        // The loader wants the tiebreak disk on both nodes; this test needs only the LAN, so build the config by hand.
        var config = new ClusterConfig
        {
            Name = "lan", Id = 9, KeyFile = "/k",
            Nodes = [new NodeConfig { Id = 1, Name = "alpha" }, new NodeConfig { Id = 2, Name = "beta" }],
            Groups = [new ResourceGroupConfig { Name = "g", Owners = ["alpha", "beta"], Quorum = QuorumPolicy.DiskTiebreak, TiebreakDisk = "d" }],
        };
        var key = ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        int[] ports = [FreeUdpPort(), FreeUdpPort()];
        var scope = new ReplicationScope(config);
        for (int id = 1; id <= 2; id++)
        {
            int peer = 3 - id;
            var messenger = new LanMessenger();
            var channel = new LanChannel(
                new HeartbeatIdentity(9, id, 1, key),
                new LanChannelOptions
                {
                    LocalEndPoint = new IPEndPoint(IPAddress.Loopback, ports[id - 1]),
                    Peers = [new LanPeer(peer, new IPEndPoint(IPAddress.Loopback, ports[peer - 1]))],
                    Interval = TimeSpan.FromSeconds(30), // heartbeats are not the subject here
                },
                new ChannelCallbacks(new NullHeartbeatSink(), messenger),
                TimeProvider.System);
            messenger.Attach(channel);
            channel.Start();
            _disposables.Add(channel);
            var store = new InMemoryClusterStore();
            _disposables.Add(store);
            var replicator = new Replicator(id, scope, store, messenger, TimeProvider.System);
            _disposables.Add(replicator);
            _nodes[id] = (replicator, new ClusterDatabase(store, id));
        }
    }

    [Fact]
    public async Task RecordWrittenOnOneNodeArrivesOnTheOtherOverAuthenticatedUdp()
    {
        var alpha = _nodes[1];
        string marker = Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray()); // > one datagram: fragmented
        alpha.R.Publish(alpha.Db.PutApplication(new ApplicationObject
        {
            Tag = "web", Group = "g", Command = new CommandSpec { Argv = ["/bin/true"] }, Host = "alpha", Primary = "alpha", Backups = ["beta"], Marker = marker,
        }));

        await Poll.UntilAsync(() => _nodes[2].Db.GetApplication("web") is not null);
        Assert.Equal(marker, _nodes[2].Db.GetApplication("web")!.Marker);
    }

    [Fact]
    public async Task QuorumCommitOverTheLan()
    {
        var beta = _nodes[2];
        var record = beta.Db.PrepareTermChange(new ApplicationObject
        {
            Tag = "web", Group = "g", Command = new CommandSpec { Argv = ["/bin/true"] }, Host = "beta", Primary = "alpha", Backups = ["beta"],
        });
        var result = await beta.R.ProposeAsync(record, [1, 2], 2, TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2], result.Accepted.Order());
        beta.R.Commit(record);
        await Poll.UntilAsync(() => _nodes[1].Db.GetApplication("web")?.Host == "beta");
    }


    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_disposables))
        {
            d.Dispose();
        }
    }

    private sealed class NullHeartbeatSink : IHeartbeatSink
    {
        public void OnHeartbeat(in HeartbeatReceipt receipt)
        {
        }

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
        }
    }
}

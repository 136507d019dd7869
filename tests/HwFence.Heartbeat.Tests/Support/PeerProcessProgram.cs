using System.Globalization;
using System.Net;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Security;

namespace HwFence.Heartbeat.Tests.Support;

/// <summary>
/// Entry point of this test assembly (GenerateProgramFile is off): <c>dotnet HwFence.Heartbeat.Tests.dll
/// lan-peer NODE LOCALPORT PEERNODE PEERPORT KEYFILE STATEDIR</c> runs a LAN heartbeat peer in a
/// separate OS process for <see cref="Lan.LanProcessTests"/> — real clock, real incarnation file,
/// 100 ms interval — that echoes every message back. It prints "ready INCARNATION" and exits when
/// its standard input closes (so a test that dies takes it along) or when it is killed.
/// </summary>
public static class PeerProcessProgram
{
    public static int Main(string[] args)
    {
        if (args.Length != 7 || args[0] != "lan-peer")
        {
            Console.Error.WriteLine("usage: lan-peer NODE LOCALPORT PEERNODE PEERPORT KEYFILE STATEDIR");
            return 2;
        }

        int node = int.Parse(args[1], CultureInfo.InvariantCulture);
        int localPort = int.Parse(args[2], CultureInfo.InvariantCulture);
        int peer = int.Parse(args[3], CultureInfo.InvariantCulture);
        int peerPort = int.Parse(args[4], CultureInfo.InvariantCulture);
        var key = ClusterKey.Load(args[5]);
        ulong incarnation = IncarnationStore.Next(args[6], TimeProvider.System);
        var identity = new HeartbeatIdentity(TestIdentities.ClusterId, node, incarnation, key);
        var echo = new Echo();
        using var channel = new LanChannel(identity, new LanChannelOptions
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, localPort),
            Peers = [new LanPeer(peer, new IPEndPoint(IPAddress.Loopback, peerPort))],
            Interval = TimeSpan.FromMilliseconds(100),
        }, new ChannelCallbacks(echo, echo), TimeProvider.System);
        echo.Channel = channel;
        channel.Start();
        Console.WriteLine($"ready {incarnation}");
        Console.Out.Flush();
        while (Console.In.Read() >= 0)
        {
        }

        return 0;
    }

    private sealed class Echo : IHeartbeatSink, IMessageSink
    {
        public LanChannel? Channel { get; set; }

        public void OnHeartbeat(in HeartbeatReceipt receipt)
        {
        }

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
        }

        public void OnMessage(int peerNodeId, PathId path, ReadOnlySpan<byte> payload)
        {
            Span<byte> reply = stackalloc byte[payload.Length + 5];
            "echo:"u8.CopyTo(reply);
            payload.CopyTo(reply[5..]);
            Channel?.SendMessage(peerNodeId, reply);
        }
    }
}

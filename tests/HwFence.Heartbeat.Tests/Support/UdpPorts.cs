using System.Net;
using System.Net.Sockets;

namespace HwFence.Heartbeat.Tests.Support;

/// <summary>Free UDP ports on 127.0.0.1 (HwFence.Testing.FreePort hands out TCP ones).</summary>
internal static class UdpPorts
{
    public static int Allocate()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}

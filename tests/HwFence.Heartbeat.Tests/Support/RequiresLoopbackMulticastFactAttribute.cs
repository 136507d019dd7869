using System.Net;
using System.Net.Sockets;

namespace HwFence.Heartbeat.Tests.Support;

/// <summary>
/// A fact that needs IPv4 multicast on the loopback interface (a group joined on 127.0.0.1 and
/// looped back): skipped, with the probe's error as the reason, where the kernel or a container
/// network namespace does not route 224.0.0.0/4 on lo.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresLoopbackMulticastFactAttribute : FactAttribute
{
    public static readonly IPAddress Group = IPAddress.Parse("239.255.77.1");

    private static readonly Lazy<string?> Reason = new(Probe);

    public RequiresLoopbackMulticastFactAttribute()
    {
        if (Reason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.Any, 0));
            int port = ((IPEndPoint)s.LocalEndPoint!).Port;
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, IPAddress.Loopback));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
            s.MulticastLoopback = true;
            s.ReceiveTimeout = 2000;
            s.SendTo("probe"u8, new IPEndPoint(Group, port));
            var buffer = new byte[16];
            return s.Receive(buffer) == 5 ? null : "multicast probe returned the wrong datagram";
        }
        catch (SocketException e)
        {
            return $"IPv4 multicast on the loopback interface is not available here ({e.SocketErrorCode}: {e.Message})";
        }
    }
}

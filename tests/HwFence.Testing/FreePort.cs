using System.Net;
using System.Net.Sockets;

namespace HwFence.Testing;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers a test starts (tgtd portals, the emulator's target,
/// <see cref="TcpProxy"/>). A port is free when it was just bound and released; another process may
/// still take it before the server binds it, so callers that start an external server check that
/// the server really listens and retry with a new port (as <see cref="TgtdFixture"/> does).
/// </summary>
public static class FreePort
{
    /// <summary>An ephemeral port the kernel just handed out for 127.0.0.1 and that is free again now.</summary>
    public static int Allocate()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A random port in [<paramref name="min"/>, <paramref name="max"/>) that can be bound on
    /// 127.0.0.1 right now — for numbers that must stay below the ephemeral range (tgtd's control
    /// port, below 32768, names a Unix socket and must not be confused with a TCP port in use).
    /// </summary>
    public static int AllocateInRange(int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 65536);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(max, min);
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(min, max);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port on 127.0.0.1 in [{min}, {max}) after 200 attempts");
    }

    /// <summary>Whether <paramref name="port"/> can be bound on 127.0.0.1 at this instant.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Net;
using System.Net.Sockets;
using HwFence.Hal.Net;

namespace HwFence.Hal.Tests.Net;

/// <summary>One payload to many destinations over real loopback UDP sockets, with sendmmsg(2) and with the sendto fallback.</summary>
public sealed class DatagramFanOutTests : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public void Dispose() => _sockets.ForEach(s => s.Dispose());

    public static TheoryData<bool> Modes() => new() { true, false };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Every_destination_receives_the_payload_once(bool useSendmmsg)
    {
        var receivers = Enumerable.Range(0, 5).Select(_ => Bound()).ToArray();
        var fanOut = new DatagramFanOut(receivers.Select(r => (IPEndPoint)r.LocalEndPoint!).ToArray(), useSendmmsg && OperatingSystem.IsLinux());
        Socket sender = Bound();
        byte[] payload = [1, 2, 3, 4, 5, 6, 7];

        int sent = fanOut.Send(sender, payload, 0, out SocketError error);

        Assert.Equal(5, sent);
        Assert.Equal(SocketError.Success, error);
        Assert.Equal(useSendmmsg && OperatingSystem.IsLinux(), fanOut.UsesSendmmsg);
        foreach (var r in receivers)
        {
            Assert.Equal(payload, ReceiveOne(r));
            Assert.Equal(0, r.Available); // exactly once
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_failing_destination_stops_the_batch_there_and_the_caller_resumes_after_it(bool useSendmmsg)
    {
        Socket a = Bound(), c = Bound();
        var bad = new IPEndPoint(IPAddress.Loopback, 0); // Linux refuses a UDP send to port 0 with EINVAL
        var fanOut = new DatagramFanOut([(IPEndPoint)a.LocalEndPoint!, bad, (IPEndPoint)c.LocalEndPoint!], useSendmmsg && OperatingSystem.IsLinux());
        Socket sender = Bound();
        byte[] payload = [9, 9];

        Assert.Equal(1, fanOut.Send(sender, payload, 0, out SocketError first));
        Assert.NotEqual(SocketError.Success, first);
        Assert.Equal(bad, fanOut[1]);
        Assert.Equal(1, fanOut.Send(sender, payload, 2, out SocketError second));
        Assert.Equal(SocketError.Success, second);
        Assert.Equal(payload, ReceiveOne(a));
        Assert.Equal(payload, ReceiveOne(c));
    }

    [Fact]
    public void A_closed_socket_throws_ObjectDisposedException()
    {
        var fanOut = new DatagramFanOut([new IPEndPoint(IPAddress.Loopback, 9)]);
        Socket sender = Bound();
        sender.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fanOut.Send(sender, [1], 0, out _));
    }

    [Fact]
    public void Sockaddr_in_is_written_in_linux_layout()
    {
        Span<byte> buffer = stackalloc byte[28];
        int length = DatagramFanOut.WriteSockAddr(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5410), buffer);
        Assert.Equal(16, length);
        Assert.Equal(new byte[] { 2, 0, 0x15, 0x22, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0 }, buffer[..16].ToArray());
    }

    [Fact]
    public void Sockaddr_in6_is_written_in_linux_layout()
    {
        Span<byte> buffer = stackalloc byte[28];
        var address = IPAddress.Parse("fe80::1%3");
        int length = DatagramFanOut.WriteSockAddr(new IPEndPoint(address, 5410), buffer);
        Assert.Equal(28, length);
        Assert.Equal(new byte[] { 10, 0, 0x15, 0x22, 0, 0, 0, 0 }, buffer[..8].ToArray());
        Assert.Equal(address.GetAddressBytes(), buffer.Slice(8, 16).ToArray());
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, buffer[24..].ToArray());
    }

    private Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(s);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.ReceiveTimeout = 5000;
        return s;
    }

    private static byte[] ReceiveOne(Socket s)
    {
        byte[] buffer = new byte[2048];
        int n = s.Receive(buffer);
        return buffer[..n];
    }
}

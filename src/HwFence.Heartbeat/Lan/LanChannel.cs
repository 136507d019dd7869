using System.Net;
using System.Net.Sockets;
using HwFence.Hal.Net;
using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.Lan;

/// <summary>
/// Heartbeats (and the cluster manager's messages) over UDP on one network: a timer from the
/// injected <see cref="TimeProvider"/> (one <see cref="SharedTicker"/> for all rings of the same
/// interval) sends one heartbeat per interval to every peer (or to the
/// multicast group), a dedicated thread blocks in recvfrom(2) and hands each datagram to the
/// <see cref="FrameReceiver"/>. When the socket fails (the address went away with its interface,
/// the socket was closed under us) the path is reported unusable and the socket is re-created with
/// a doubling backoff until the address is back (<see cref="ReopeningChannel{TResource}"/>).
/// Steady state allocates nothing per frame: a heartbeat carries no per-peer field (its destination
/// node is 0, "every node"), so it is encoded and authenticated once per tick on the stack and handed
/// to every peer in one sendmmsg(2) (<see cref="DatagramFanOut"/>; one sendto(2) per peer where
/// sendmmsg does not exist); messages use the <see cref="SocketAddress"/> overloads of sendto/recvfrom.
/// </summary>
public sealed class LanChannel : ReopeningChannel<Socket>
{
    private readonly LanChannelOptions _options;
    private readonly Dictionary<int, SocketAddress> _peerAddresses;
    private readonly DatagramFanOut _heartbeatTargets;

    // One buffer for the life of the channel; 64 KiB so an oversized datagram is read whole and
    // dropped as malformed rather than truncated into something that might parse.
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(65536, pinned: true);
    private readonly SocketAddress _from;

    public LanChannel(HeartbeatIdentity identity, LanChannelOptions options, ChannelCallbacks callbacks, TimeProvider time)
        : base(identity, Validated(options).Path, callbacks, time, options.Interval, options.ReopenInitial, options.ReopenMax)
    {
        _options = options;
        _peerAddresses = options.Peers.ToDictionary(p => p.NodeId, p => p.EndPoint.Serialize());
        _heartbeatTargets = new DatagramFanOut(options.MulticastGroup is { } group ? [group] : options.Peers.Select(p => p.EndPoint).ToArray());
        _from = new SocketAddress(options.LocalEndPoint.AddressFamily);
    }

    /// <summary>The port actually bound (useful with port 0); 0 while no socket is open.</summary>
    public int BoundPort => (Current?.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>
    /// Sends one authenticated, replay-protected message to a peer on this network. Payload at most
    /// <see cref="FrameLayout.MaxMessageLength"/> (1172) bytes — one unfragmented datagram; larger
    /// throws <see cref="ArgumentException"/>. Returns false when the path is down locally or the
    /// send failed (UDP: delivery is never confirmed — the caller acknowledges at its own level).
    /// </summary>
    public bool SendMessage(int peerNodeId, ReadOnlySpan<byte> payload)
    {
        if (!_peerAddresses.TryGetValue(peerNodeId, out SocketAddress? address))
        {
            throw new ArgumentException($"{Path}: node {peerNodeId} is not a configured peer on this network (peers: {string.Join(", ", _peerAddresses.Keys)}).", nameof(peerNodeId));
        }

        Span<byte> frame = stackalloc byte[FrameLayout.MaxFrameLength];
        int length = Sender.EncodeMessage(peerNodeId, payload, frame);
        Socket? socket = Current;
        return socket is not null && SendTo(socket, frame[..length], address);
    }

    /// <summary>Sends one heartbeat now to every peer (the timer calls this every interval).</summary>
    public void SendHeartbeat()
    {
        Socket? socket = Current;
        if (socket is null)
        {
            return;
        }

        Span<byte> frame = stackalloc byte[FrameLayout.Overhead + FrameLayout.MaxStateLength];
        int length = Sender.EncodeHeartbeat(frame);
        int next = 0;
        while (next < _heartbeatTargets.Count)
        {
            int sent;
            SocketError error;
            try
            {
                sent = _heartbeatTargets.Send(socket, frame[..length], next, out error);
            }
            catch (ObjectDisposedException e)
            {
                Counters.OnSendError();
                Fail(socket, $"send failed: {e.Message}");
                return;
            }

            Counters.OnSent(sent);
            next += sent;
            if (next == _heartbeatTargets.Count)
            {
                return;
            }

            Counters.OnSendError();
            if (IsLocalFailure(error))
            {
                Fail(socket, $"send to {_heartbeatTargets[next]} failed: {new SocketException((int)error).Message} ({error})");
                return; // the socket failed: no point trying the other peers
            }

            next++; // this peer's route (EHOSTUNREACH, ENETUNREACH…): the detector sees its silence
        }
    }

    /// <summary>Closes the socket as if its interface vanished (tests): the channel must notice and recover.</summary>
    internal void BreakSocket() => Current?.Dispose();

    private protected override void SendHeartbeatNow() => SendHeartbeat();

    /// <summary>UDP sends do not wait for the peer: every ring of this node ticks on one <see cref="SharedTicker"/>.</summary>
    private protected override bool ShareTimer => true;

    private protected override bool IsResourceFailure(Exception error) => error is SocketException or ObjectDisposedException;

    private protected override string DescribeOpenFailure(Exception error) =>
        $"cannot bind {_options.LocalEndPoint}: {error.Message} — is the address configured on an interface that is up?";

    private protected override Socket Open()
    {
        IPEndPoint local = _options.LocalEndPoint;
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_options.MulticastGroup is { } group)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(IPAddress.Any, group.Port));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(group.Address, local.Address));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.Address.GetAddressBytes());
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 1); // never leave the local network
                socket.MulticastLoopback = true; // peers on this host; our own copies are dropped as OwnFrame
            }
            else
            {
                socket.Bind(local);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private protected override void ReceiveOnce(Socket socket)
    {
        int received = socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, _from);
        Deliver(_receiveBuffer.AsSpan(0, received));
    }

    private bool SendTo(Socket socket, ReadOnlySpan<byte> frame, SocketAddress target)
    {
        try
        {
            socket.SendTo(frame, SocketFlags.None, target);
            Counters.OnSent();
            return true;
        }
        catch (SocketException e) when (!IsLocalFailure(e.SocketErrorCode))
        {
            Counters.OnSendError(); // this peer's route (EHOSTUNREACH, ENETUNREACH…): the detector sees its silence
            return false;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Counters.OnSendError();
            Fail(socket, $"send failed: {e.Message}");
            return false;
        }
    }

    /// <summary>Errors that mean our own socket or address is gone, not that one peer is unreachable.</summary>
    private static bool IsLocalFailure(SocketError error) => error is
        SocketError.AddressNotAvailable or SocketError.NetworkDown or SocketError.Shutdown or
        SocketError.NotSocket or SocketError.InvalidArgument or SocketError.OperationAborted or SocketError.Interrupted;

    private static LanChannelOptions Validated(LanChannelOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
    }
}

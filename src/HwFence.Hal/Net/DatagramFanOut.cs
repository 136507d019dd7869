using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace HwFence.Hal.Net;

/// <summary>
/// Sends one UDP payload to a fixed list of destinations — a heartbeat to every peer on one ring —
/// with as few system calls as the OS allows: on Linux one sendmmsg(2) for the whole list (one
/// mmsghdr per destination, all sharing one iovec that points at the payload), elsewhere (or where
/// sendmmsg is refused, e.g. by a seccomp filter) one sendto(2) per destination.
/// </summary>
/// <remarks>
/// The native arrays (mmsghdr, sockaddr) are built once and live on the pinned object heap, so a
/// send allocates nothing and nothing needs freeing (a send racing a channel's Dispose can never
/// touch freed memory). Not thread-safe for concurrent <see cref="Send"/> calls on one instance:
/// they are serialised by a lock (uncontended in practice: one send timer per channel).
/// </remarks>
public sealed class DatagramFanOut
{
    // sockaddr_in6 (28 bytes) is the largest destination we build; sockaddr_in is 16.
    private const int SockAddrSlot = 28;
    private const int AF_INET = 2, AF_INET6 = 10; // Linux bits/socket.h
    private const int Enosys = 38; // asm-generic/errno.h: this kernel has no sendmmsg

    private readonly IPEndPoint[] _targets;
    private readonly SocketAddress[] _fallbackTargets;
    private readonly Interop.Libc.MMsgHdr[] _messages;
    private readonly byte[] _addresses;
    private readonly Interop.Libc.IoVec[] _iov;
    private readonly object _gate = new();
    private volatile bool _useSendmmsg;

    /// <param name="targets">Destinations, all of one address family (IPv4 or IPv6).</param>
    public DatagramFanOut(IReadOnlyList<IPEndPoint> targets)
        : this(targets, OperatingSystem.IsLinux())
    {
    }

    /// <summary>Tests: <paramref name="useSendmmsg"/> false exercises the sendto fallback on Linux too.</summary>
    internal DatagramFanOut(IReadOnlyList<IPEndPoint> targets, bool useSendmmsg)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _targets = [.. targets];
        _fallbackTargets = Array.ConvertAll(_targets, t => t.Serialize());
        _useSendmmsg = useSendmmsg && _targets.Length > 0;
        _messages = GC.AllocateArray<Interop.Libc.MMsgHdr>(Math.Max(1, _targets.Length), pinned: true);
        _addresses = GC.AllocateArray<byte>(Math.Max(1, _targets.Length) * SockAddrSlot, pinned: true);
        _iov = GC.AllocateArray<Interop.Libc.IoVec>(1, pinned: true);
        if (_useSendmmsg)
        {
            Prepare();
        }
    }

    /// <summary>How many destinations.</summary>
    public int Count => _targets.Length;

    /// <summary>Destination <paramref name="index"/> (for error messages).</summary>
    public IPEndPoint this[int index] => _targets[index];

    /// <summary>Whether sends use sendmmsg(2) (Linux) rather than one sendto(2) per destination.</summary>
    public bool UsesSendmmsg => _useSendmmsg;

    /// <summary>
    /// Sends <paramref name="payload"/> to the destinations from <paramref name="first"/> on, in order,
    /// stopping at the first one that fails. Returns how many were sent (from <paramref name="first"/>);
    /// when that is fewer than the rest, destination <c>first + returned</c> failed with
    /// <paramref name="error"/> and the caller decides whether to go on after it (a peer's route) or
    /// stop (our own socket or address is gone). Throws <see cref="ObjectDisposedException"/> when the
    /// socket was closed.
    /// </summary>
    public int Send(Socket socket, ReadOnlySpan<byte> payload, int first, out SocketError error)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        error = SocketError.Success;
        if (first >= _targets.Length)
        {
            return 0;
        }

        int total = 0;
        while (_useSendmmsg)
        {
            // sendmmsg reports an error only when it hits the first message of a call: after a
            // partial batch, call again from the first unsent one to learn what stopped it.
            int sent = SendBatch(socket, payload, first + total, out int errno);
            if (sent > 0)
            {
                total += sent;
                if (first + total == _targets.Length)
                {
                    return total;
                }

                continue;
            }

            if (errno != Enosys)
            {
                error = ToSocketError(errno);
                return total;
            }

            _useSendmmsg = false; // the kernel (or a seccomp filter) has no sendmmsg: sendto from now on
        }

        return total + SendOneByOne(socket, payload, first + total, out error);
    }

    private unsafe int SendBatch(Socket socket, ReadOnlySpan<byte> payload, int first, out int errno)
    {
        lock (_gate)
        {
            fixed (byte* data = payload)
            fixed (Interop.Libc.MMsgHdr* messages = _messages)
            {
                _iov[0].Base = data;
                _iov[0].Length = (nuint)payload.Length;
                try
                {
                    while (true)
                    {
                        int rc = Interop.Libc.SendMmsg(socket.SafeHandle, messages + first, (uint)(_targets.Length - first), 0);
                        errno = rc < 0 ? Interop.Errors.Last : 0;
                        if (rc >= 0 || errno != Interop.Errors.EINTR)
                        {
                            return rc;
                        }
                    }
                }
                finally
                {
                    _iov[0].Base = null; // the payload lives on the caller's stack
                    _iov[0].Length = 0;
                }
            }
        }
    }

    private int SendOneByOne(Socket socket, ReadOnlySpan<byte> payload, int first, out SocketError error)
    {
        error = SocketError.Success;
        for (int i = first; i < _targets.Length; i++)
        {
            try
            {
                socket.SendTo(payload, SocketFlags.None, _fallbackTargets[i]);
            }
            catch (SocketException e)
            {
                error = e.SocketErrorCode;
                return i - first;
            }
        }

        return _targets.Length - first;
    }

    /// <summary>Builds one mmsghdr per destination: its sockaddr, the shared iovec, no control data.</summary>
    private unsafe void Prepare()
    {
        // Both arrays are on the pinned object heap: their addresses stay valid after the fixed block.
        fixed (byte* addresses = _addresses)
        fixed (Interop.Libc.IoVec* iov = _iov)
        {
            Fill(addresses, iov);
        }
    }

    private unsafe void Fill(byte* addresses, Interop.Libc.IoVec* iov)
    {
        for (int i = 0; i < _targets.Length; i++)
        {
            Span<byte> slot = _addresses.AsSpan(i * SockAddrSlot, SockAddrSlot);
            _messages[i] = new Interop.Libc.MMsgHdr
            {
                Header = new Interop.Libc.MsgHdr
                {
                    Name = addresses + (i * SockAddrSlot),
                    NameLength = (uint)WriteSockAddr(_targets[i], slot),
                    Iov = iov,
                    IovLength = 1,
                },
            };
        }
    }

    /// <summary>
    /// Linux sockaddr_in / sockaddr_in6 (netinet/in.h); returns its length.
    /// <code>
    /// sockaddr_in  (16): 0 sa_family_t sin_family (host order) · 2 in_port_t sin_port (network order) · 4 in_addr sin_addr · 8 zero[8]
    /// sockaddr_in6 (28): 0 sin6_family · 2 sin6_port (network order) · 4 uint32 sin6_flowinfo · 8 in6_addr[16] · 24 uint32 sin6_scope_id (host order)
    /// </code>
    /// </summary>
    internal static int WriteSockAddr(IPEndPoint endPoint, Span<byte> destination)
    {
        destination.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BitConverter.TryWriteBytes(destination, (ushort)AF_INET);
            endPoint.Address.TryWriteBytes(destination.Slice(4, 4), out _);
            return 16;
        }

        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BitConverter.TryWriteBytes(destination, (ushort)AF_INET6);
            endPoint.Address.TryWriteBytes(destination.Slice(8, 16), out _);
            BitConverter.TryWriteBytes(destination[24..], (uint)endPoint.Address.ScopeId);
            return 28;
        }

        throw new ArgumentException($"destination {endPoint}: only IPv4 and IPv6 addresses can be heartbeat targets.", nameof(endPoint));
    }

    /// <summary>Linux errno → <see cref="SocketError"/> for the errors sendmmsg(2) reports on a UDP socket.</summary>
    private static SocketError ToSocketError(int errno) => errno switch
    {
        Interop.Errors.EAGAIN => SocketError.WouldBlock,
        Interop.Errors.EINTR => SocketError.Interrupted,
        Interop.Errors.EBADF or 88 /* ENOTSOCK */ => SocketError.NotSocket,
        Interop.Errors.EINVAL => SocketError.InvalidArgument,
        Interop.Errors.EPERM or Interop.Errors.EACCES => SocketError.AccessDenied,
        32 /* EPIPE */ => SocketError.Shutdown,
        90 /* EMSGSIZE */ => SocketError.MessageSize,
        99 /* EADDRNOTAVAIL */ => SocketError.AddressNotAvailable,
        100 /* ENETDOWN */ => SocketError.NetworkDown,
        101 /* ENETUNREACH */ => SocketError.NetworkUnreachable,
        105 /* ENOBUFS */ => SocketError.NoBufferSpaceAvailable,
        111 /* ECONNREFUSED */ => SocketError.ConnectionRefused,
        113 /* EHOSTUNREACH */ => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };
}

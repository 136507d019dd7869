using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Reads framed PDUs from a connected socket into one reusable buffer (no per-PDU allocation): fills,
/// frames with <see cref="IscsiPduReader"/>, compacts a partial PDU to the front when the next one would
/// not fit. A returned <see cref="IscsiPdu"/>'s AHS/data stay valid until the next call. Shared by the
/// initiator and the emulator's target: one reader per connection, one caller at a time.
/// </summary>
public sealed class IscsiPduSocketReader
{
    private const int MaxAhs = 1020;
    private readonly Socket _socket;
    private byte[] _rx;
    private int _rxStart;
    private int _rxEnd;

    /// <param name="socket">The connected socket.</param>
    /// <param name="peer">The peer, for messages (host:port).</param>
    /// <param name="limits">Initial limits (login: <see cref="IscsiPduLimits.Login"/>).</param>
    public IscsiPduSocketReader(Socket socket, string peer, IscsiPduLimits limits)
    {
        _socket = socket;
        Peer = peer;
        Limits = limits;
        _rx = new byte[BufferSizeFor(limits.MaxRecvDataSegmentLength)];
    }

    /// <summary>The peer, for messages.</summary>
    public string Peer { get; }

    /// <summary>What is accepted now.</summary>
    public IscsiPduLimits Limits { get; private set; }

    /// <summary>Bytes needed for a whole PDU with <paramref name="maxDataSegment"/> bytes of data, AHS and digests.</summary>
    public static int BufferSizeFor(int maxDataSegment) =>
        BasicHeaderSegment.Length + MaxAhs + IscsiDigest.Length + maxDataSegment + 3 + IscsiDigest.Length + 4096;

    /// <summary>Switches limits (after login); grows the buffer if needed, keeping bytes already received.</summary>
    public void SetLimits(IscsiPduLimits limits)
    {
        Limits = limits;
        int size = BufferSizeFor(limits.MaxRecvDataSegmentLength);
        if (_rx.Length < size)
        {
            byte[] rx = new byte[size];
            _rx.AsSpan(_rxStart, _rxEnd - _rxStart).CopyTo(rx);
            _rxEnd -= _rxStart;
            _rxStart = 0;
            _rx = rx;
        }
    }

    /// <summary>
    /// The first 48 bytes buffered (the BHS of a PDU that failed to frame), e.g. for the data segment of
    /// a Reject a target sends; empty if fewer are buffered.
    /// </summary>
    public ReadOnlySpan<byte> PendingHeader =>
        _rxEnd - _rxStart >= BasicHeaderSegment.Length ? _rx.AsSpan(_rxStart, BasicHeaderSegment.Length) : default;

    /// <summary>
    /// Receives the next PDU. Malformed input throws <see cref="IscsiProtocolException"/> (with the
    /// framing error's reject reason); end of stream throws <see cref="IOException"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IscsiPdu> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            if (TryFrame(out IscsiPdu pdu))
            {
                return pdu;
            }

            int n = await _socket.ReceiveAsync(_rx.AsMemory(_rxEnd), SocketFlags.None, ct).ConfigureAwait(false);
            Received(n);
        }
    }

    /// <summary>
    /// Receives the next PDU on the calling thread: frames what is buffered, else waits in poll(2) on the
    /// socket for up to <paramref name="timeoutMilliseconds"/> (-1: no limit) and reads what arrived with
    /// one recv(2). No thread hop and no epoll round trip — the caller is woken by the kernel directly.
    /// Returns false if no whole PDU arrived in time (a partial one stays buffered). Errors as
    /// <see cref="ReceiveAsync"/>. Never call while a <see cref="ReceiveAsync"/> is pending.
    /// </summary>
    public bool TryReceive(int timeoutMilliseconds, out IscsiPdu pdu)
    {
        long deadline = timeoutMilliseconds < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMilliseconds;
        while (!TryFrame(out pdu))
        {
            long left = deadline == long.MaxValue ? -1 : deadline - Environment.TickCount64;
            if (left < 0 && deadline != long.MaxValue)
            {
                return false;
            }

            // Socket.Poll takes microseconds but polls with millisecond resolution (rounds down).
            if (!_socket.Poll(left < 0 ? -1 : (int)Math.Min(left, int.MaxValue / 1000) * 1000, SelectMode.SelectRead))
            {
                if (left <= 0)
                {
                    return false;
                }

                continue;
            }

            int n = _socket.Receive(_rx.AsSpan(_rxEnd), SocketFlags.None, out SocketError error);
            if (error is SocketError.WouldBlock or SocketError.Interrupted)
            {
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            Received(n);
        }

        return true;
    }

    /// <summary>
    /// Receives the next PDU with blocking recv(2) calls on the calling thread, each bounded by the
    /// socket's receive timeout (<see cref="Socket.ReceiveTimeout"/>, SO_RCVTIMEO): when the answer comes
    /// within it, a PDU costs one system call. Needs a socket that was never used asynchronously (.NET
    /// then keeps the descriptor in blocking mode). Returns false when a wait timed out (a partial PDU
    /// stays buffered). Errors as <see cref="ReceiveAsync"/>.
    /// </summary>
    public bool TryReceiveBlocking(out IscsiPdu pdu)
    {
        while (!TryFrame(out pdu))
        {
            int n = _socket.Receive(_rx.AsSpan(_rxEnd), SocketFlags.None, out SocketError error);
            if (error is SocketError.TimedOut or SocketError.WouldBlock)
            {
                return false;
            }

            if (error == SocketError.Interrupted)
            {
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            Received(n);
        }

        return true;
    }

    /// <summary>Frames one PDU from the buffer, or makes room for the rest of a partial one and returns false.</summary>
    private bool TryFrame(out IscsiPdu pdu)
    {
        var seq = new ReadOnlySequence<byte>(_rx, _rxStart, _rxEnd - _rxStart);
        if (IscsiPduReader.TryRead(ref seq, Limits, out pdu, out IscsiPduError error))
        {
            _rxStart = _rxEnd - (int)seq.Length;
            return true;
        }

        if (error.IsError)
        {
            throw IscsiProtocolException.Framing(Peer, error);
        }

        long need = IscsiPduReader.PeekLength(seq, Limits);
        if (need > _rx.Length)
        {
            throw new IscsiProtocolException(Peer, $"PDU of {need} bytes does not fit the receive buffer of {_rx.Length}");
        }

        if (_rxStart > 0 && (_rxEnd == _rx.Length || need > _rx.Length - _rxStart))
        {
            Buffer.BlockCopy(_rx, _rxStart, _rx, 0, _rxEnd - _rxStart);
            _rxEnd -= _rxStart;
            _rxStart = 0;
        }

        return false;
    }

    private void Received(int n)
    {
        if (n == 0)
        {
            throw new IOException($"iSCSI {Peer}: the peer closed the connection");
        }

        _rxEnd += n;
    }
}

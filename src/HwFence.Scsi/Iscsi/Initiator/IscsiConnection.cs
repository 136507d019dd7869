using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>
/// One TCP connection to a target: a receive buffer framed by <see cref="IscsiPduReader"/> and a send
/// buffer guarded by a send lock, so PDUs from concurrent commands never interleave. The receive side
/// has one reader (the login exchange, then the session's receive loop). No per-PDU allocation: both
/// buffers are sized once per negotiated MaxRecvDataSegmentLength.
/// </summary>
internal sealed class IscsiConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IscsiPduSocketReader _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _tx;
    private int _closed;

    private IscsiConnection(Socket socket, string peer)
    {
        _socket = socket;
        Peer = peer;
        _reader = new IscsiPduSocketReader(socket, peer, IscsiPduLimits.Login(IscsiPduSource.Target));
        _tx = new byte[IscsiPduSocketReader.BufferSizeFor(IscsiPduLimits.LoginMaxRecvDataSegmentLength)];
    }

    /// <summary>host:port, for messages.</summary>
    public string Peer { get; }

    /// <summary>What the receive side accepts; switched to the negotiated values after login.</summary>
    public IscsiPduLimits Limits => _reader.Limits;

    /// <summary>Header/data digests for PDUs we send (same negotiation as the receive side).</summary>
    public bool SendHeaderDigest => Limits.HeaderDigest;

    public bool SendDataDigest => Limits.DataDigest;

    /// <summary>Opens a TCP connection (Nagle off: every PDU is latency-critical).</summary>
    public static async Task<IscsiConnection> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true, NoDelay = true };
        try
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                await socket.ConnectAsync(new IPEndPoint(ip.AddressFamily == AddressFamily.InterNetwork ? ip.MapToIPv6() : ip, port), ct).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new IscsiConnection(socket, $"{host}:{port}");
    }

    /// <summary>
    /// Switches to full-feature-phase limits: our MaxRecvDataSegmentLength for receiving, the target's
    /// for sending, and the negotiated digests (which start with the first PDU after login, §13.1).
    /// </summary>
    public void ApplyNegotiated(int ourMaxRecv, int peerMaxRecv, bool headerDigest, bool dataDigest)
    {
        _reader.SetLimits(new IscsiPduLimits(ourMaxRecv, headerDigest, dataDigest, IscsiPduSource.Target));
        _tx = new byte[IscsiPduSocketReader.BufferSizeFor(peerMaxRecv)];
    }

    /// <summary>
    /// Receives the next PDU. Its AHS/data refer to the receive buffer and stay valid until the next call.
    /// Throws <see cref="IscsiProtocolException"/> on malformed input, <see cref="IOException"/> at end of stream.
    /// </summary>
    public ValueTask<IscsiPdu> ReceiveAsync(CancellationToken ct) => _reader.ReceiveAsync(ct);

    /// <summary>Waits for the send lock; the caller then writes into <see cref="SendBuffer"/> and calls <see cref="SendLockedAsync"/>.</summary>
    public Task LockSendAsync(CancellationToken ct) => _sendLock.WaitAsync(ct);

    /// <summary>Releases the send lock.</summary>
    public void UnlockSend() => _sendLock.Release();

    /// <summary>The send buffer (only while holding the send lock): large enough for any PDU we may send.</summary>
    public Memory<byte> SendBuffer => _tx;

    /// <summary>Sends <paramref name="length"/> bytes of <see cref="SendBuffer"/> (holding the send lock).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendLockedAsync(int length, CancellationToken ct)
    {
        int sent = 0;
        while (sent < length)
        {
            sent += await _socket.SendAsync(_tx.AsMemory(sent, length - sent), SocketFlags.None, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes and sends one PDU under the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync<THeader>(THeader header, ReadOnlyMemory<byte> data, CancellationToken ct)
        where THeader : struct, IIscsiHeader<THeader>
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            int n = IscsiPduWriter.Write(_tx, header, data.Span, SendHeaderDigest, SendDataDigest);
            await SendLockedAsync(n, ct).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Resets the connection (TCP RST): pending receives and sends fail at once.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }
}

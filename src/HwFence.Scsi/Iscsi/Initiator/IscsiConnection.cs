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
    private int _blockingReceiveTimeout;

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

    /// <summary>
    /// Opens a TCP connection (Nagle off: every PDU is latency-critical). The socket is only ever used
    /// with synchronous system calls in blocking mode (connect(2), send(2), poll(2), recv(2)): a .NET
    /// socket that sees one asynchronous operation (or Blocking = false) is switched to non-blocking mode
    /// and registered with the runtime's epoll thread for good, which then wakes on every PDU the target
    /// sends, and a blocking recv(2) bounded by SO_RCVTIMEO (<see cref="TryReceiveBlocking"/>) is no
    /// longer possible. <paramref name="timeout"/> bounds connect(2) and, afterwards, any one send(2)
    /// (SO_SNDTIMEO; Linux applies it to a blocking connect): a target that stops reading for that long
    /// is treated as a lost connection.
    /// </summary>
    public static async Task<IscsiConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        IPAddress[] addresses = IPAddress.TryParse(host, out var ip)
            ? [ip]
            : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        int timeoutMs = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        return await Task.Run(() =>
        {
            SocketException? last = null;
            foreach (IPAddress address in addresses)
            {
                ct.ThrowIfCancellationRequested();
                var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp)
                {
                    DualMode = true,
                    NoDelay = true,
                    SendTimeout = timeoutMs,
                };
                try
                {
                    socket.Connect(new IPEndPoint(address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address, port));
                    return new IscsiConnection(socket, $"{host}:{port}");
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            throw last ?? new SocketException((int)SocketError.HostNotFound);
        }, ct).ConfigureAwait(false);
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
    /// Receives the next PDU (login phase). Its AHS/data refer to the receive buffer and stay valid until the next call.
    /// Throws <see cref="IscsiProtocolException"/> on malformed input, <see cref="IOException"/> at end of stream.
    /// </summary>
    /// <remarks>
    /// Waits on the calling thread (poll(2) in 50 ms slices, checking <paramref name="ct"/>), to keep the
    /// socket off the runtime's epoll thread (see <see cref="ConnectAsync"/>). Login and discovery are
    /// one short exchange per connection.
    /// </remarks>
    public ValueTask<IscsiPdu> ReceiveAsync(CancellationToken ct)
    {
        IscsiPdu pdu;
        while (!_reader.TryReceive(50, out pdu))
        {
            ct.ThrowIfCancellationRequested();
        }

        return ValueTask.FromResult(pdu);
    }

    /// <summary>
    /// Receives the next PDU on the calling thread, waiting in poll(2) for up to
    /// <paramref name="timeoutMilliseconds"/> (full feature phase: one reader at a time, see
    /// <see cref="IscsiSession"/>). False if none arrived in time.
    /// </summary>
    public bool TryReceive(int timeoutMilliseconds, out IscsiPdu pdu) => _reader.TryReceive(timeoutMilliseconds, out pdu);

    /// <summary>
    /// Who reads this connection now (<see cref="IscsiSession"/>'s reader role, one reader at a time
    /// because <see cref="IscsiPduSocketReader"/> has one buffer): <see cref="ReaderFree"/>,
    /// <see cref="ReaderCaller"/> (a command's caller waiting for its own answer on its own thread) or
    /// <see cref="ReaderBackground"/> (the connection's receive thread). Changed only with Interlocked.
    /// </summary>
    public int ReaderRole;

    public const int ReaderFree = 0;
    public const int ReaderCaller = 1;
    public const int ReaderBackground = 2;

    /// <summary>
    /// Wakes the receive thread after someone handed it <see cref="ReaderBackground"/> (the role is the
    /// truth, the event only a wake-up). No spinning before it blocks: on a small shared machine a
    /// spinning thread takes the core from the thread the answer is for.
    /// </summary>
    public ManualResetEventSlim ReaderWake { get; } = new(false, spinCount: 0);

    /// <summary>
    /// Receives the next PDU with blocking recv(2), each wait bounded by <see cref="BlockingReceiveTimeout"/>;
    /// false if it expired. One system call per PDU — the path of a command's caller reading its own answer.
    /// </summary>
    public bool TryReceiveBlocking(out IscsiPdu pdu) => _reader.TryReceiveBlocking(out pdu);

    /// <summary>SO_RCVTIMEO in milliseconds for <see cref="TryReceiveBlocking"/> (0: not set; set once, a setsockopt(2) each time).</summary>
    public int BlockingReceiveTimeout
    {
        get => _blockingReceiveTimeout;
        set
        {
            _socket.ReceiveTimeout = value;
            _blockingReceiveTimeout = value;
        }
    }

    /// <summary>True once <see cref="Abort"/> ran.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Waits for the send lock; the caller then writes into <see cref="SendBuffer"/> and calls <see cref="SendLockedAsync"/>.</summary>
    public Task LockSendAsync(CancellationToken ct) => _sendLock.WaitAsync(ct);

    /// <summary>Waits for the send lock on the calling thread (held only for one PDU's send(2)).</summary>
    public void LockSend() => _sendLock.Wait();

    /// <summary>Releases the send lock.</summary>
    public void UnlockSend() => _sendLock.Release();

    /// <summary>The send buffer (only while holding the send lock): large enough for any PDU we may send.</summary>
    public Memory<byte> SendBuffer => _tx;

    /// <summary>Sends <paramref name="length"/> bytes of <see cref="SendBuffer"/> (holding the send lock).</summary>
    public ValueTask SendLockedAsync(int length, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        SendLocked(length);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends <paramref name="length"/> bytes of <see cref="SendBuffer"/> with send(2) on the calling thread
    /// (holding the send lock): a whole PDU — header and data from one buffer — is one system call, and
    /// on a TCP send buffer with room (always, for commands without a large data-out) it never blocks.
    /// </summary>
    public void SendLocked(int length)
    {
        int sent = 0;
        while (sent < length)
        {
            int n = _socket.Send(_tx.AsSpan(sent, length - sent), SocketFlags.None, out SocketError error);
            if (error is SocketError.Interrupted)
            {
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }

            sent += n;
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
            SendLocked(n);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Writes and sends one PDU under the send lock, on the calling thread.</summary>
    public void Send<THeader>(in THeader header, ReadOnlySpan<byte> data)
        where THeader : struct, IIscsiHeader<THeader>
    {
        _sendLock.Wait();
        try
        {
            int n = IscsiPduWriter.Write(_tx, header, data, SendHeaderDigest, SendDataDigest);
            SendLocked(n);
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
        ReaderWake.Set();
        return ValueTask.CompletedTask;
    }
}

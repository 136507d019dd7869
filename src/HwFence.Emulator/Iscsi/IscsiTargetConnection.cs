using System.Buffers;
using System.Net;
using System.Net.Sockets;
using HwFence.Emulator.Nexus;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Emulator.Iscsi;

/// <summary>
/// One iSCSI connection (= one session: MaxConnections is 1) on the emulator's target, RFC 7143.
/// A single receive loop frames PDUs with the Scsi layer's <see cref="IscsiPduReader"/> and handles
/// them in order; responses are written with <see cref="IscsiPduWriter"/> under a send lock, so
/// commands that complete later (injected latency, hang) can answer from another thread. Any
/// framing or protocol violation ends this connection only: a Reject where the RFC wants one, a
/// log line naming the peer and the field, then the socket is reset. ErrorRecoveryLevel is 0.
/// Split over <c>IscsiTargetConnection.*.cs</c>: login, SCSI commands and data, management PDUs.
/// </summary>
internal sealed partial class IscsiTargetConnection : IAsyncDisposable
{
    private const uint NoTag = 0xFFFF_FFFF;

    /// <summary>Data-Out sequence errors tolerated on one connection before it is dropped as hostile.</summary>
    private const int MaxDataOutRejects = 16;
    private readonly Socket _socket;
    private readonly IscsiTargetServer _server;
    private readonly EmulatedTarget _target;
    private readonly IscsiTargetOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly IscsiOperationalParameters _params = new();
    private readonly Dictionary<uint, TargetTask> _tasks = new();
    private readonly Stack<TargetTask> _pool = new();
    private byte[] _rx;
    private int _rxStart;
    private int _rxEnd;
    private byte[] _tx;
    private IscsiPduLimits _limits = IscsiPduLimits.Login(IscsiPduSource.Initiator);
    private bool _sendHeaderDigest;
    private bool _sendDataDigest;
    private uint _statSN;
    private uint _expCmdSN;
    private uint _nextTtt = 1;
    private long _lastReceiveTimestamp;
    private uint _pendingNopTtt = NoTag;
    private int _closed;
    private int _dataOutRejects;
    private int _txPending;
    private bool _batching;
    private bool _fullFeature;

    public IscsiTargetConnection(Socket socket, IscsiTargetServer server, EmulatedTarget target, IscsiTargetOptions options)
    {
        _socket = socket;
        _server = server;
        _target = target;
        _options = options;
        Peer = socket.RemoteEndPoint?.ToString() ?? "unknown peer";
        LocalEndPoint = (IPEndPoint?)socket.LocalEndPoint ?? options.Listen;
        _rx = new byte[BufferSizeFor(IscsiPduLimits.LoginMaxRecvDataSegmentLength)];
        _tx = new byte[BufferSizeFor(IscsiPduLimits.LoginMaxRecvDataSegmentLength)];
    }

    /// <summary>host:port of the initiator, for log lines.</summary>
    public string Peer { get; }

    /// <summary>The address the initiator connected to (SendTargets advertises it).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>iSCSI initiator name once the first login PDU was read.</summary>
    public string? InitiatorName { get; private set; }

    public ulong Isid { get; private set; }

    public ushort Tsih { get; private set; }

    public bool IsDiscovery { get; private set; }

    /// <summary>The I_T nexus of a normal session in full feature phase.</summary>
    public ItNexus? Nexus { get; private set; }

    private uint MaxCmdSN => _expCmdSN + (uint)_options.CommandWindow - 1;

    private string Who => InitiatorName is null ? Peer : $"{InitiatorName} (ISID 0x{Isid:x12}, {Peer})";

    /// <summary>Runs the connection until the peer leaves, a protocol error, or shutdown.</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _lifetime.Token);
        var ct = linked.Token;
        try
        {
            if (!await LoginAsync(ct).ConfigureAwait(false))
            {
                return;
            }

            using var nop = StartNopInTimer();
            while (!ct.IsCancellationRequested)
            {
                var pdu = await ReceiveAsync(ct).ConfigureAwait(false);
                if (!await HandleAsync(pdu, ct).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (IscsiProtocolException e)
        {
            _target.Log.Warn($"iSCSI {Who}: {e.Message}; dropping this connection");
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Peer closed, reset, or we are shutting down: a plain end of the connection.
        }
        catch (Exception e)
        {
            // Never let one connection take the target down.
            _target.Log.Warn($"iSCSI {Who}: internal error {e.GetType().Name}: {e.Message}; dropping this connection");
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Full feature phase dispatch (RFC 7143 §11). False ends the connection.</summary>
    private ValueTask<bool> HandleAsync(IscsiPdu pdu, CancellationToken ct)
    {
        if (IsDiscovery && pdu.Opcode is not (IscsiOpcode.TextRequest or IscsiOpcode.LogoutRequest or IscsiOpcode.NopOut))
        {
            return ProtocolErrorAsync(pdu, $"{IscsiOpcodeInfo.Name(pdu.Opcode)} is not allowed in a discovery session (RFC 7143 §4.3)", IscsiRejectReason.ProtocolError, ct);
        }

        return pdu.Opcode switch
        {
            IscsiOpcode.ScsiCommand => HandleScsiCommandAsync(pdu, ct),
            IscsiOpcode.DataOut => HandleDataOutAsync(pdu, ct),
            IscsiOpcode.NopOut => HandleNopOutAsync(pdu, ct),
            IscsiOpcode.TaskManagementRequest => HandleTaskManagementAsync(pdu, ct),
            IscsiOpcode.TextRequest => HandleTextAsync(pdu, ct),
            IscsiOpcode.LogoutRequest => HandleLogoutAsync(pdu, ct),
            IscsiOpcode.LoginRequest => ProtocolErrorAsync(pdu, "Login Request in full feature phase", IscsiRejectReason.ProtocolError, ct),
            _ => ProtocolErrorAsync(pdu, $"{IscsiOpcodeInfo.Name(pdu.Opcode)} is not supported at ErrorRecoveryLevel 0", IscsiRejectReason.CommandNotSupported, ct),
        };
    }

    /// <summary>
    /// CmdSN rules (RFC 7143 §3.2.2.1, §4.2.2.1): an immediate PDU is taken as is; a non-immediate one
    /// must lie in [ExpCmdSN, MaxCmdSN] — outside it is silently ignored — and advances ExpCmdSN.
    /// </summary>
    private bool AcceptCmdSN(bool immediate, uint cmdSN, string what)
    {
        if (immediate)
        {
            return true;
        }

        if (HwFence.Scsi.Iscsi.Initiator.SerialNumber.LessThan(cmdSN, _expCmdSN) || HwFence.Scsi.Iscsi.Initiator.SerialNumber.LessThan(MaxCmdSN, cmdSN))
        {
            _target.Log.Warn($"iSCSI {Who}: {what} CmdSN {cmdSN} outside the window [{_expCmdSN}, {MaxCmdSN}]; ignored (RFC 7143 §4.2.2.1)");
            return false;
        }

        _expCmdSN = cmdSN + 1;
        return true;
    }

    /// <summary>Sends a Reject carrying the offending header (RFC 7143 §11.17), logs, and ends the connection.</summary>
    private async ValueTask<bool> ProtocolErrorAsync(IscsiPdu pdu, string message, IscsiRejectReason reason, CancellationToken ct)
    {
        _target.Log.Warn($"iSCSI {Who}: {message}; rejected ({IscsiRejectReasons.Describe(reason)}), dropping this connection");
        await SendRejectAsync(pdu.Bhs.ToArray(), reason, ct).ConfigureAwait(false);
        return false;
    }

    private async ValueTask SendRejectAsync(byte[] rejectedHeader, IscsiRejectReason reason, CancellationToken ct)
    {
        try
        {
            await SendAsync(new RejectHeader(reason, NextStatSN(), _expCmdSN, MaxCmdSN, 0), rejectedHeader, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the peer is already gone
        }
    }

    private uint NextStatSN() => Interlocked.Increment(ref _statSN) - 1;

    /// <summary>Receives one PDU; its AHS/data stay valid until the next call. Throws on malformed input or EOF.</summary>
    private async ValueTask<IscsiPdu> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            var seq = new ReadOnlySequence<byte>(_rx, _rxStart, _rxEnd - _rxStart);
            if (IscsiPduReader.TryRead(ref seq, _limits, out IscsiPdu pdu, out IscsiPduError error))
            {
                _rxStart = _rxEnd - (int)seq.Length;
                Volatile.Write(ref _lastReceiveTimestamp, _target.Time.GetTimestamp());
                if (_fullFeature)
                {
                    Volatile.Write(ref _batching, true);
                }

                return pdu;
            }

            if (error.IsError)
            {
                if (error.Reason == IscsiRejectReason.DataDigestError && _rxEnd - _rxStart >= BasicHeaderSegment.Length)
                {
                    await SendRejectAsync(_rx.AsSpan(_rxStart, BasicHeaderSegment.Length).ToArray(), error.Reason, ct).ConfigureAwait(false);
                }

                throw IscsiProtocolException.Framing(Peer, error);
            }

            long need = IscsiPduReader.PeekLength(seq, _limits);
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

            await EndBatchAsync(ct).ConfigureAwait(false);
            int n = await _socket.ReceiveAsync(_rx.AsMemory(_rxEnd), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"iSCSI {Peer}: the initiator closed the connection");
            }

            _rxEnd += n;
        }
    }

    /// <summary>Writes one PDU under the send lock; it goes out now, or with the batch (see <see cref="AppendLockedAsync"/>).</summary>
    private async ValueTask SendAsync<THeader>(THeader header, ReadOnlyMemory<byte> data, CancellationToken ct)
        where THeader : struct, IIscsiHeader<THeader>
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await AppendLockedAsync(header, data.Span, ct).ConfigureAwait(false);
            await FlushUnlessBatchingLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Appends one PDU to the transmit buffer (send lock held), first flushing what is pending if it
    /// would not fit. Responses to PDUs that arrived together leave in one send(2) — the receive loop
    /// flushes before it waits for more input — which is what keeps many commands in flight cheap.
    /// </summary>
    private ValueTask AppendLockedAsync<THeader>(in THeader header, ReadOnlySpan<byte> data, CancellationToken ct)
        where THeader : struct, IIscsiHeader<THeader>
    {
        int need = IscsiPduWriter.GetLength(0, data.Length, _sendHeaderDigest, _sendDataDigest);
        if (_txPending + need > _tx.Length)
        {
            byte[] copy = data.ToArray(); // rare: the batch is full; keep the data across the flush
            var h = header;
            return FlushThenAppendAsync(h, copy, ct);
        }

        _txPending += IscsiPduWriter.Write(_tx.AsSpan(_txPending), header, data, _sendHeaderDigest, _sendDataDigest);
        return ValueTask.CompletedTask;
    }

    private async ValueTask FlushThenAppendAsync<THeader>(THeader header, byte[] data, CancellationToken ct)
        where THeader : struct, IIscsiHeader<THeader>
    {
        await FlushLockedAsync(ct).ConfigureAwait(false);
        _txPending += IscsiPduWriter.Write(_tx.AsSpan(_txPending), header, data, _sendHeaderDigest, _sendDataDigest);
    }

    /// <summary>Flushes now unless the receive loop is working through PDUs that arrived together (it flushes before it blocks).</summary>
    private ValueTask FlushUnlessBatchingLockedAsync(CancellationToken ct) =>
        Volatile.Read(ref _batching) ? ValueTask.CompletedTask : FlushLockedAsync(ct);

    /// <summary>Sends everything pending in the transmit buffer (send lock held).</summary>
    private async ValueTask FlushLockedAsync(CancellationToken ct)
    {
        int sent = 0;
        int length = _txPending;
        _txPending = 0;
        while (sent < length)
        {
            sent += await _socket.SendAsync(_tx.AsMemory(sent, length - sent), SocketFlags.None, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a batch: flushes pending responses before the receive loop waits for input.</summary>
    private async ValueTask EndBatchAsync(CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _batching, false);
            if (_txPending > 0)
            {
                await FlushLockedAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Switches to the negotiated limits and digests after the final login response (RFC 7143 §13.1).</summary>
    private void EnterFullFeaturePhase()
    {
        _fullFeature = true;
        _limits = new IscsiPduLimits(_params.MaxRecvDataSegmentLength, _params.HeaderDigest, _params.DataDigest, IscsiPduSource.Initiator);
        _sendHeaderDigest = _params.HeaderDigest;
        _sendDataDigest = _params.DataDigest;
        if (_rx.Length < BufferSizeFor(_params.MaxRecvDataSegmentLength))
        {
            byte[] rx = new byte[BufferSizeFor(_params.MaxRecvDataSegmentLength)];
            _rx.AsSpan(_rxStart, _rxEnd - _rxStart).CopyTo(rx);
            _rxEnd -= _rxStart;
            _rxStart = 0;
            _rx = rx;
        }

        _tx = new byte[BufferSizeFor(Math.Max(_params.PeerMaxRecvDataSegmentLength, IscsiPduLimits.LoginMaxRecvDataSegmentLength))];
    }

    private static int BufferSizeFor(int maxData) => BasicHeaderSegment.Length + 1020 + 4 + maxData + 3 + 4;

    /// <summary>
    /// Target-initiated NOP-In (RFC 7143 §11.19): after <see cref="IscsiTargetOptions.NopInInterval"/>
    /// of silence, ping with a fresh target transfer tag; no answer within the timeout drops the connection.
    /// </summary>
    private ITimer? StartNopInTimer()
    {
        if (_options.NopInInterval <= TimeSpan.Zero || Nexus is null && !IsDiscovery)
        {
            return null;
        }

        var period = _options.NopInInterval < _options.NopInTimeout ? _options.NopInInterval : _options.NopInTimeout;
        return _target.Time.CreateTimer(_ => _ = NopInTickAsync(), null, period, period);
    }

    private async Task NopInTickAsync()
    {
        try
        {
            var idle = _target.Time.GetElapsedTime(Volatile.Read(ref _lastReceiveTimestamp));
            if (_pendingNopTtt != NoTag)
            {
                if (idle >= _options.NopInTimeout)
                {
                    _target.Log.Warn($"iSCSI {Who}: no answer to NOP-In ping within {_options.NopInTimeout.TotalSeconds:0} s; dropping this connection");
                    Abort();
                }

                return;
            }

            if (idle >= _options.NopInInterval)
            {
                uint ttt = Interlocked.Increment(ref _nextTtt) | 0x8000_0000;
                _pendingNopTtt = ttt;
                // An unsolicited NOP-In carries the current StatSN without advancing it (§11.19.3).
                await SendAsync(new NopInHeader(0, NoTag, ttt, Volatile.Read(ref _statSN), _expCmdSN, MaxCmdSN), ReadOnlyMemory<byte>.Empty, _lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Resets the TCP connection at once (fault "drop", target stop, cold reset, session reinstatement).</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        if (Nexus is { } nexus)
        {
            _target.CloseNexus(nexus);
            _target.Log.Info($"iSCSI logout/disconnect: {nexus.Initiator.PortName} (TSIH {Tsih})");
        }

        lock (_tasks)
        {
            foreach (var t in _tasks.Values)
            {
                ReturnBuffers(t);
            }

            _tasks.Clear();
        }

        _server.Unregister(this);
        try
        {
            await EndBatchAsync(CancellationToken.None).ConfigureAwait(false); // a last Reject or Logout Response
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        Abort();
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        _lifetime.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }
}

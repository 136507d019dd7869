using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>
/// A Normal iSCSI session with one connection (RFC 7143 §4, ErrorRecoveryLevel 0): command dispatch with
/// tag matching and CmdSN windowing (§4.2.2.1), Data-In/Data-Out/R2T (§11.7, §11.8), NOP keepalive both
/// ways (§11.18, §11.19), task management (§11.5), logout (§11.14), and reconnect with the same ISID
/// after a connection loss (session reinstatement, §6.3.5) — which replaces the I_T nexus, so
/// <see cref="NexusGeneration"/> moves and <see cref="NexusReplaced"/> is raised.
/// </summary>
internal sealed class IscsiSession : IAsyncDisposable
{
    private const uint PingTagBit = 0x8000_0000;
    private const uint TmfTagBit = 0x4000_0000;
    private const uint LogoutTag = 0x7FFF_0002;

    private readonly string _host;
    private readonly int _port;
    private readonly string _targetName;
    private readonly IscsiInitiatorOptions _options;
    private readonly TimeProvider _time;
    private readonly string _device;
    private readonly Lock _sn = new();
    private readonly Lock _state = new();
    private readonly IscsiCommandSlot[] _slots;
    private readonly Stack<IscsiCommandSlot> _free;
    private readonly SemaphoreSlim _slotsAvailable;
    private readonly SemaphoreSlim _tmfLock = new(1, 1);
    private readonly CancellationTokenSource _life = new();
    private readonly ITimer? _nopTimer;

    private IscsiConnection? _conn;
    private TaskCompletionSource<IscsiConnection>? _connected;
    private Exception? _lastError;
    private bool _disposed;
    private uint _cmdSN;
    private uint _expStatSN;
    private uint _maxCmdSN;
    private uint _expCmdSN;
    private TaskCompletionSource? _window;
    private long _lastReceive;
    private uint _pingSeq;
    private uint _pingTag;
    private long _pingSent;
    private uint _tmfSeq;
    private uint _tmfTag;
    private TaskCompletionSource<TaskManagementResponse>? _tmf;
    private TaskCompletionSource<LogoutResponseHeader>? _logout;
    private long _nexusGeneration;
    private int _inFlight;
    private long _callerReads;
    private long _keepalivesAnswered;
    private long _targetPingsAnswered;

    public IscsiSession(string host, int port, string targetName, IscsiInitiatorOptions options, string device)
    {
        _host = host;
        _port = port;
        _targetName = targetName;
        _options = options;
        _time = options.TimeProvider;
        _device = device;
        _slots = new IscsiCommandSlot[options.MaxCommandsInFlight];
        _free = new Stack<IscsiCommandSlot>(_slots.Length);
        for (int i = _slots.Length - 1; i >= 0; i--)
        {
            _slots[i] = new IscsiCommandSlot(this, i, _time, options.InlineCompletions);
            _free.Push(_slots[i]);
        }

        _slotsAvailable = new SemaphoreSlim(_slots.Length, _slots.Length);
        if (options.NopInterval > TimeSpan.Zero)
        {
            TimeSpan period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10,
                Math.Min(options.NopInterval.Ticks, options.NopTimeout.Ticks) / 2));
            _nopTimer = _time.CreateTimer(static s => ((IscsiSession)s!).OnNopTimer(), this, period, period);
        }
    }

    public long NexusGeneration => Interlocked.Read(ref _nexusGeneration);

    public event Action<long>? NexusReplaced;

    /// <summary>Parameters negotiated at the last login.</summary>
    public IscsiOperationalParameters Parameters { get; private set; } = new();

    /// <summary>TargetAlias the target sent at the last login, if any.</summary>
    public string? TargetAlias { get; private set; }

    /// <summary>TSIH of the current session.</summary>
    public ushort Tsih { get; private set; }

    /// <summary>Our keepalive NOP-Outs the target answered (diagnostics, tests).</summary>
    internal long KeepalivesAnswered => Interlocked.Read(ref _keepalivesAnswered);

    /// <summary>Target NOP-In pings we answered (diagnostics, tests).</summary>
    internal long TargetPingsAnswered => Interlocked.Read(ref _targetPingsAnswered);

    /// <summary>True while a logged-in connection exists.</summary>
    public bool IsConnected => Volatile.Read(ref _conn) is not null;

    /// <summary>Connects and logs in for the first time; failures throw (no background retry yet).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        IscsiConnection conn = await OpenAsync(ct).ConfigureAwait(false);
        Install(conn);
    }

    /// <summary>
    /// Executes one CDB on <paramref name="lun"/> (see <see cref="IScsiTransport.ExecuteAsync"/>). Not an
    /// async method: when connected with a free slot and answered within
    /// <see cref="IscsiInitiatorOptions.SynchronousWait"/>, the command runs to completion before this
    /// returns, with no state machine, no allocation and no thread hand-off. Errors, also argument
    /// errors, come through the returned task.
    /// </summary>
    public ValueTask<ScsiCommandResult> ExecuteAsync(
        ulong lun, ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, Memory<byte> sense,
        TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            Validate(cdb, direction, data, timeout);
            long start = _time.GetTimestamp();
            IscsiConnection? conn = Volatile.Read(ref _conn);
            if (conn is null || ct.IsCancellationRequested || !_slotsAvailable.Wait(0))
            {
                return ExecuteWhenReadyAsync(lun, cdb, direction, data, sense, timeout, start, ct);
            }

            return Issue(conn, lun, cdb, direction, data, sense, timeout, start, ct);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<ScsiCommandResult>(e);
        }
    }

    /// <summary>Waits for a connection and a free slot (up to the command's timeout), then issues the command.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ScsiCommandResult> ExecuteWhenReadyAsync(
        ulong lun, ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, Memory<byte> sense,
        TimeSpan timeout, long start, CancellationToken ct)
    {
        IscsiConnection conn = Volatile.Read(ref _conn) ?? await WaitForConnectionAsync(timeout, ct).ConfigureAwait(false);
        if (!await _slotsAvailable.WaitAsync(timeout, ct).ConfigureAwait(false))
        {
            throw new ScsiTransportException(_device, ScsiTransportError.Timeout,
                $"{OpName(cdb.Span[0])}: all {_slots.Length} command slots stayed busy for {timeout.TotalMilliseconds:0} ms");
        }

        return await Issue(conn, lun, cdb, direction, data, sense, timeout, start, ct).ConfigureAwait(false);
    }

    /// <summary>Sends the command (a slot is reserved) and, if no one else reads, waits for its answer on this thread.</summary>
    private ValueTask<ScsiCommandResult> Issue(
        IscsiConnection conn, ulong lun, ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, Memory<byte> sense,
        TimeSpan timeout, long start, CancellationToken ct)
    {
        IscsiCommandSlot slot = Rent();
        slot.Begin(lun, cdb.Span[0], direction, data, sense, timeout);
        slot.Connection = conn;
        slot.StartTimestamp = start;
        Interlocked.Increment(ref _inFlight); // before the send: the answer may come at once
        CancellationTokenRegistration reg = ct.CanBeCanceled
            ? ct.UnsafeRegister(static s => ((IscsiCommandSlot)s!).OnCanceled(), slot)
            : default;
        try
        {
            Task? windowClosed = TrySendCommand(conn, slot, cdb.Span);
            if (windowClosed is not null)
            {
                return SendWhenWindowOpensAsync(conn, slot, cdb, windowClosed, reg, ct);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            if (!slot.IsCompleted)
            {
                ConnectionLost(conn, e);
            }
        }

        if (!slot.IsCompleted)
        {
            WaitOnCallerThread(conn, slot);
        }

        return AwaitAnswer(conn, slot, reg);
    }

    /// <summary>The slot's awaitable; if not answered yet, the receive thread will deliver it (timer armed).</summary>
    private ValueTask<ScsiCommandResult> AwaitAnswer(IscsiConnection conn, IscsiCommandSlot slot, CancellationTokenRegistration reg)
    {
        if (!slot.IsCompleted)
        {
            // The answer is late or another reader is active: the receive thread delivers it.
            ArmTimer(slot);
            ActivateReceiveThread(conn);
        }

        var answer = new ValueTask<ScsiCommandResult>(slot, slot.Version);
        if (slot.IsCompleted || reg == default)
        {
            reg.Dispose();
            return answer;
        }

        return AwaitThenUnregisterAsync(answer, reg);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ScsiCommandResult> AwaitThenUnregisterAsync(ValueTask<ScsiCommandResult> answer, CancellationTokenRegistration reg)
    {
        try
        {
            return await answer.ConfigureAwait(false);
        }
        finally
        {
            reg.Dispose();
        }
    }

    /// <summary>Starts the slot's timeout (commands answered on the caller's thread never need it).</summary>
    private void ArmTimer(IscsiCommandSlot slot)
    {
        TimeSpan remaining = slot.Timeout - _time.GetElapsedTime(slot.StartTimestamp);
        slot.ArmTimer(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
    }

    /// <summary>Sends a task management request and waits for its response (§11.5, §11.6).</summary>
    public async Task<TaskManagementResponse> TaskManagementAsync(
        TaskManagementFunction function, ulong lun, uint referencedTag, uint referencedCmdSN, CancellationToken ct)
    {
        IscsiConnection conn = Volatile.Read(ref _conn) ?? await WaitForConnectionAsync(_options.TaskManagementTimeout, ct).ConfigureAwait(false);
        await _tmfLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var tcs = new TaskCompletionSource<TaskManagementResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            uint tag;
            lock (_sn)
            {
                tag = TmfTagBit | (++_tmfSeq & 0x3FFF_FFFF);
                _tmfTag = tag;
                _tmf = tcs;
            }

            try
            {
                await conn.LockSendAsync(ct).ConfigureAwait(false);
                try
                {
                    TaskManagementRequestHeader h;
                    lock (_sn)
                    {
                        h = new TaskManagementRequestHeader(true, function, lun, tag,
                            function == TaskManagementFunction.AbortTask ? referencedTag : BasicHeaderSegment.ReservedTag,
                            _cmdSN, _expStatSN, referencedCmdSN, 0);
                    }

                    int n = IscsiPduWriter.Write(conn.SendBuffer.Span, h, default, conn.SendHeaderDigest, conn.SendDataDigest);
                    await conn.SendLockedAsync(n, ct).ConfigureAwait(false);
                }
                finally
                {
                    conn.UnlockSend();
                }

                ActivateReceiveThread(conn);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                ConnectionLost(conn, e);
            }

            try
            {
                return await tcs.Task.WaitAsync(_options.TaskManagementTimeout, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ScsiTransportException(_device, ScsiTransportError.Timeout,
                    $"task management {function} got no response within {_options.TaskManagementTimeout.TotalSeconds:0.#} s");
            }
            finally
            {
                lock (_sn)
                {
                    if (_tmf == tcs)
                    {
                        _tmf = null;
                    }
                }
            }
        }
        finally
        {
            _tmfLock.Release();
        }
    }

    /// <summary>Logs out (close session, §11.14) and closes the connection; pending commands fail.</summary>
    public async ValueTask DisposeAsync()
    {
        IscsiConnection? conn;
        lock (_state)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            conn = _conn;
        }

        _nopTimer?.Dispose();
        if (conn is not null)
        {
            try
            {
                await LogoutAsync(conn).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or OperationCanceledException or ScsiTransportException)
            {
                // The session ends anyway: the target cleans up when the connection closes.
            }
        }

        _life.Cancel();
        if (conn is not null)
        {
            ConnectionLost(conn, new ObjectDisposedException(_device, "the transport was disposed"));
        }

        lock (_state)
        {
            _connected?.TrySetException(new ScsiTransportException(_device, ScsiTransportError.Aborted, "the transport was disposed"));
        }

        foreach (var slot in _slots)
        {
            slot.Timer.Dispose();
        }
    }

    private async Task LogoutAsync(IscsiConnection conn)
    {
        var tcs = new TaskCompletionSource<LogoutResponseHeader>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _logout, tcs);
        LogoutRequestHeader h;
        lock (_sn)
        {
            h = new LogoutRequestHeader(true, LogoutReason.CloseSession, LogoutTag, 0, _cmdSN, _expStatSN);
        }

        using var cts = new CancellationTokenSource(_options.LogoutTimeout, _time);
        await conn.SendAsync(h, ReadOnlyMemory<byte>.Empty, cts.Token).ConfigureAwait(false);
        ActivateReceiveThread(conn);
        await tcs.Task.WaitAsync(_options.LogoutTimeout, _time).ConfigureAwait(false);
    }

    // ---- connection management ------------------------------------------------------------

    private async Task<IscsiConnection> OpenAsync(CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.LoginTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token, _life.Token);
        IscsiConnection? conn = null;
        try
        {
            conn = await IscsiConnection.ConnectAsync(_host, _port, _options.LoginTimeout, linked.Token).ConfigureAwait(false);
            IscsiLoginResult login = await IscsiLogin.LoginAsync(conn, _options, _targetName, 1, linked.Token).ConfigureAwait(false);
            var p = login.Parameters;
            conn.ApplyNegotiated(p.MaxRecvDataSegmentLength, p.PeerMaxRecvDataSegmentLength, p.HeaderDigest, p.DataDigest);
            if (_options.SynchronousWait > TimeSpan.Zero)
            {
                conn.BlockingReceiveTimeout = Math.Max(1, (int)_options.SynchronousWait.TotalMilliseconds);
            }

            lock (_sn)
            {
                _cmdSN = login.ExpCmdSN;
                _expCmdSN = login.ExpCmdSN;
                _maxCmdSN = login.MaxCmdSN;
                _expStatSN = login.StatSN + 1;
            }

            Parameters = p;
            TargetAlias = login.TargetAlias;
            Tsih = login.Tsih;
            return conn;
        }
        catch (Exception e)
        {
            if (conn is not null)
            {
                await conn.DisposeAsync().ConfigureAwait(false);
            }

            throw e switch
            {
                IscsiProtocolException p when p.LoginStatusClass == IscsiLoginStatus.InitiatorError && p.LoginStatusDetail is IscsiLoginStatus.AuthenticationFailure or IscsiLoginStatus.AuthorizationFailure
                    => new ScsiTransportException(_device, ScsiTransportError.PermissionDenied, p.Message, 0, p),
                IscsiProtocolException p when p.LoginStatusClass == IscsiLoginStatus.InitiatorError && p.LoginStatusDetail is IscsiLoginStatus.NotFound or IscsiLoginStatus.TargetRemoved
                    => new ScsiTransportException(_device, ScsiTransportError.DeviceMissing, p.Message, 0, p),
                IscsiProtocolException p => new ScsiTransportException(_device, ScsiTransportError.Protocol, p.Message, 0, p),
                OperationCanceledException when timeout.IsCancellationRequested && !ct.IsCancellationRequested
                    => new ScsiTransportException(_device, ScsiTransportError.Timeout,
                        $"connect and login to {_host}:{_port} did not complete within {_options.LoginTimeout.TotalSeconds:0.#} s", 0, e),
                SocketException s => new ScsiTransportException(_device, ScsiTransportError.ConnectionLost,
                    $"cannot connect to {_host}:{_port}: {s.Message} — is the target running and reachable?", (int)s.SocketErrorCode, s),
                IOException io => new ScsiTransportException(_device, ScsiTransportError.ConnectionLost, $"login to {_host}:{_port} failed: {io.Message}", 0, io),
                _ => e,
            };
        }
    }

    private void Install(IscsiConnection conn)
    {
        TaskCompletionSource<IscsiConnection>? waiting;
        lock (_state)
        {
            if (_disposed)
            {
                conn.Abort();
                return;
            }

            _conn = conn;
            waiting = _connected;
            _connected = null;
        }

        Volatile.Write(ref _lastReceive, _time.GetTimestamp());
        Volatile.Write(ref _pingTag, 0);
        Volatile.Write(ref conn.ReaderRole, IscsiConnection.ReaderBackground);
        new Thread(static s => { var (session, c) = ((IscsiSession, IscsiConnection))s!; session.ReceiveThread(c); })
        {
            IsBackground = true,
            Name = "iSCSI rx " + conn.Peer,
        }.Start((this, conn));
        waiting?.TrySetResult(conn);
    }

    /// <summary>
    /// The connection failed: fail its commands with ConnectionLost (their outcome is unknown), and start
    /// reconnecting (same ISID, so the target reinstates the session and drops the old nexus).
    /// </summary>
    private void ConnectionLost(IscsiConnection conn, Exception cause)
    {
        bool reconnect;
        lock (_state)
        {
            if (_conn != conn && _conn is not null)
            {
                return; // an older connection
            }

            bool wasCurrent = _conn == conn;
            _conn = null;
            if (wasCurrent)
            {
                _lastError = cause;
            }

            reconnect = wasCurrent && !_disposed && _options.Reconnect;
            if (reconnect)
            {
                _connected ??= new TaskCompletionSource<IscsiConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        conn.Abort();
        conn.ReaderWake.Set(); // a dormant receive thread exits
        string why = cause switch
        {
            ObjectDisposedException => "the transport was disposed",
            _ => $"connection to {_host}:{_port} lost ({cause.Message})",
        };
        var error = _disposed
            ? new ScsiTransportException(_device, ScsiTransportError.Aborted, why, 0, cause)
            : new ScsiTransportException(_device, ScsiTransportError.ConnectionLost,
                $"{why}; the command's outcome is unknown", 0, cause);
        foreach (var slot in _slots)
        {
            if (slot.IsActive && slot.Connection == conn)
            {
                slot.TryFail(error);
                slot.MarkTargetDone();
            }
        }

        lock (_sn)
        {
            _tmf?.TrySetException(error);
            _window?.TrySetResult();
            _window = null;
        }

        Volatile.Read(ref _logout)?.TrySetException(error);
        if (reconnect)
        {
            _ = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        TimeSpan delay = _options.ReconnectDelay;
        while (!_life.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, _life.Token).ConfigureAwait(false);
                IscsiConnection conn = await OpenAsync(_life.Token).ConfigureAwait(false);
                long generation = Interlocked.Increment(ref _nexusGeneration);
                Install(conn);
                Action<long>? handler = NexusReplaced;
                if (handler is not null)
                {
                    _ = Task.Run(() => handler(generation));
                }

                return;
            }
            catch (OperationCanceledException) when (_life.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                lock (_state)
                {
                    _lastError = e;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task<IscsiConnection> WaitForConnectionAsync(TimeSpan timeout, CancellationToken ct)
    {
        Task<IscsiConnection> wait;
        lock (_state)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(_device, "the iSCSI transport was disposed");
            }

            if (_conn is { } c)
            {
                return c;
            }

            if (_connected is null)
            {
                throw new ScsiTransportException(_device, ScsiTransportError.ConnectionLost,
                    $"not connected to {_host}:{_port} and reconnecting is disabled (last error: {_lastError?.Message})", 0, _lastError);
            }

            wait = _connected.Task;
        }

        try
        {
            return await wait.WaitAsync(timeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Exception? last;
            lock (_state)
            {
                last = _lastError;
            }

            throw new ScsiTransportException(_device, ScsiTransportError.ConnectionLost,
                $"connection to {_host}:{_port} is lost and was not re-established within {timeout.TotalMilliseconds:0} ms (last error: {last?.Message})", 0, last);
        }
    }

    // ---- sending --------------------------------------------------------------------------------

    /// <summary>
    /// Sends the SCSI Command PDU (with immediate data) and any unsolicited Data-Out on the calling thread
    /// — one send(2) per PDU, header and data from one buffer. Returns null when sent, or, when the CmdSN
    /// window is closed (§4.2.2.1), nothing is sent and the task completes when MaxCmdSN moves.
    /// </summary>
    private Task? TrySendCommand(IscsiConnection conn, IscsiCommandSlot slot, ReadOnlySpan<byte> cdb)
    {
        conn.LockSend();
        try
        {
            uint cmdSN, expStatSN;
            lock (_sn)
            {
                if (!SerialNumber.LessOrEqual(_cmdSN, _maxCmdSN))
                {
                    _window ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    return _window.Task;
                }

                cmdSN = _cmdSN++;
                expStatSN = _expStatSN;
            }

            slot.CmdSN = cmdSN;
            var p = Parameters;
            int length = slot.Data.Length;
            int immediate = 0, unsolicited = 0;
            if (slot.Direction == DataDirection.ToDevice && length > 0)
            {
                int first = Math.Min(length, p.FirstBurstLength);
                immediate = p.ImmediateData ? Math.Min(first, p.PeerMaxRecvDataSegmentLength) : 0;
                unsolicited = p.InitialR2T ? immediate : first;
            }

            int n = WriteCommand(conn, slot, cdb, cmdSN, expStatSN, immediate, unsolicited);
            conn.SendLocked(n);
            if (unsolicited > immediate)
            {
                // Unsolicited Data-Out (§11.7, InitialR2T=No): TTT 0xFFFFFFFF, up to FirstBurstLength.
                SendDataOutLocked(conn, slot, BasicHeaderSegment.ReservedTag, immediate, unsolicited - immediate);
            }

            return null;
        }
        finally
        {
            conn.UnlockSend();
        }
    }

    /// <summary>The CmdSN window was closed: wait (up to the command's timeout) for MaxCmdSN to move, then send and wait for the answer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ScsiCommandResult> SendWhenWindowOpensAsync(
        IscsiConnection conn, IscsiCommandSlot slot, ReadOnlyMemory<byte> cdb, Task windowOpened, CancellationTokenRegistration reg, CancellationToken ct)
    {
        ArmTimer(slot);
        try
        {
            try
            {
                while (windowOpened is not null)
                {
                    await windowOpened.WaitAsync(slot.Timeout, _time, ct).ConfigureAwait(false);
                    if (Volatile.Read(ref _conn) != conn)
                    {
                        throw new IOException("connection lost while waiting for the CmdSN window");
                    }

                    windowOpened = TrySendCommand(conn, slot, cdb.Span)!;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (!slot.IsCompleted)
                {
                    ConnectionLost(conn, e);
                }
            }

            ActivateReceiveThread(conn);
            return await new ValueTask<ScsiCommandResult>(slot, slot.Version).ConfigureAwait(false);
        }
        finally
        {
            reg.Dispose();
        }
    }

    private static int WriteCommand(IscsiConnection conn, IscsiCommandSlot slot, ReadOnlySpan<byte> cdb, uint cmdSN, uint expStatSN, int immediate, int unsolicited)
    {
        Span<byte> ahs = stackalloc byte[IscsiAhs.ExtendedCdbLength(cdb.Length)];
        IscsiAhs.WriteExtendedCdb(ahs, cdb);
        var h = new ScsiCommandHeader(
            Immediate: false,
            Final: unsolicited == immediate,
            DataIn: slot.Direction == DataDirection.FromDevice,
            DataOut: slot.Direction == DataDirection.ToDevice,
            TaskAttribute: ScsiCommandHeader.AttributeSimple,
            Lun: slot.Lun,
            InitiatorTaskTag: slot.Tag,
            ExpectedDataTransferLength: (uint)(slot.Direction == DataDirection.None ? 0 : slot.Data.Length),
            CmdSN: cmdSN,
            ExpStatSN: expStatSN,
            Cdb16: ScsiCommandHeader.PackCdb(cdb));
        return IscsiPduWriter.Write(conn.SendBuffer.Span, h, slot.Data.Span[..immediate], conn.SendHeaderDigest, conn.SendDataDigest, ahs);
    }

    /// <summary>Sends Data-Out PDUs for [offset, offset+length) of the slot's buffer (send lock held).</summary>
    private void SendDataOutLocked(IscsiConnection conn, IscsiCommandSlot slot, uint ttt, int offset, int length)
    {
        int max = Parameters.PeerMaxRecvDataSegmentLength;
        uint dataSN = 0;
        int end = offset + length;
        while (offset < end)
        {
            int n = Math.Min(max, end - offset);
            int bytes = WriteDataOut(conn, slot, ttt, dataSN++, offset, n, offset + n == end);
            conn.SendLocked(bytes);
            offset += n;
        }
    }

    private int WriteDataOut(IscsiConnection conn, IscsiCommandSlot slot, uint ttt, uint dataSN, int offset, int n, bool final)
    {
        uint expStatSN;
        lock (_sn)
        {
            expStatSN = _expStatSN;
        }

        var h = new DataOutHeader(final, slot.Lun, slot.Tag, ttt, expStatSN, dataSN, (uint)offset);
        return IscsiPduWriter.Write(conn.SendBuffer.Span, h, slot.Data.Span.Slice(offset, n), conn.SendHeaderDigest, conn.SendDataDigest);
    }

    // ---- receiving ------------------------------------------------------------------------------

    // One reader at a time per connection (conn.ReaderRole). A command alone in flight is answered on
    // its caller's own thread: the caller sends, then waits in poll(2) on the socket and reads the answer
    // itself (WaitOnCallerThread) — the kernel wakes the one thread that needs the answer, as in a
    // synchronous C initiator, with no hand-off between threads. Whenever commands are in flight and no
    // caller reads (several in flight, an answer later than SynchronousWait, a TMF/NOP/logout), the
    // connection's receive thread reads and completes the commands' awaitables. While the session is
    // idle the receive thread reads too (target NOP-In pings, async messages, a closed connection).

    /// <summary>
    /// The caller of a command that is not yet answered reads the connection itself for up to
    /// <see cref="IscsiInitiatorOptions.SynchronousWait"/>, if it is the only command in flight and no
    /// one else is reading. Every PDU it
    /// reads is dispatched as the receive thread would (other commands' continuations still run on the
    /// thread pool). Afterwards the reading passes to the receive thread if commands remain in flight.
    /// </summary>
    private void WaitOnCallerThread(IscsiConnection conn, IscsiCommandSlot slot)
    {
        // Only a command alone in flight: with several, the receive thread is the one reader (a reading
        // caller would have to hand over to it when its own answer came, a wake-up per command).
        int budget = (int)Math.Min(_options.SynchronousWait.TotalMilliseconds, slot.Timeout.TotalMilliseconds);
        if (budget <= 0 || Volatile.Read(ref _inFlight) != 1
            || Interlocked.CompareExchange(ref conn.ReaderRole, IscsiConnection.ReaderCaller, IscsiConnection.ReaderFree) != IscsiConnection.ReaderFree)
        {
            return;
        }

        Volatile.Write(ref _callerReads, _callerReads + 1);
        try
        {
            // Normally one blocking recv(2) bounded by SO_RCVTIMEO (= SynchronousWait); a command whose own
            // timeout is shorter polls for its timeout instead.
            bool blocking = budget == conn.BlockingReceiveTimeout;
            long deadline = Environment.TickCount64 + budget;
            while (!slot.IsCompleted)
            {
                long left = deadline - Environment.TickCount64;
                if (left < 0)
                {
                    break;
                }

                IscsiPdu pdu;
                if (blocking ? conn.TryReceiveBlocking(out pdu) : conn.TryReceive((int)left, out pdu))
                {
                    Dispatch(conn, pdu);
                }
                else if (blocking)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            ConnectionLost(conn, e);
        }
        finally
        {
            Interlocked.Exchange(ref conn.ReaderRole, IscsiConnection.ReaderFree);
            if (Volatile.Read(ref _inFlight) > 0)
            {
                ActivateReceiveThread(conn);
            }
        }
    }

    /// <summary>Hands the reading to the receive thread unless someone reads already (a reading caller hands over when it stops).</summary>
    private static void ActivateReceiveThread(IscsiConnection conn)
    {
        if (Interlocked.CompareExchange(ref conn.ReaderRole, IscsiConnection.ReaderBackground, IscsiConnection.ReaderFree) == IscsiConnection.ReaderFree)
        {
            conn.ReaderWake.Set();
        }
    }

    /// <summary>Polling slice of the receive thread, so it notices a closed connection.</summary>
    private const int ReceiveSliceMilliseconds = 250;

    /// <summary>
    /// A dormant receive thread takes up reading on its own after this long without a caller reading
    /// (two checks in a row): the idle session must still see target pings and a closed connection.
    /// </summary>
    private const int IdleReadCheckMilliseconds = 50;

    private void ReceiveThread(IscsiConnection conn)
    {
        long seenCallerReads = -1;
        try
        {
            while (!conn.IsClosed)
            {
                if (Volatile.Read(ref conn.ReaderRole) != IscsiConnection.ReaderBackground)
                {
                    bool woken = conn.ReaderWake.Wait(IdleReadCheckMilliseconds);
                    conn.ReaderWake.Reset();
                    if (!woken)
                    {
                        long reads = Volatile.Read(ref _callerReads);
                        if (reads != seenCallerReads)
                        {
                            seenCallerReads = reads; // callers are reading: stay dormant
                            continue;
                        }

                        Interlocked.CompareExchange(ref conn.ReaderRole, IscsiConnection.ReaderBackground, IscsiConnection.ReaderFree);
                    }

                    continue; // re-check the role (a wake may be stale)
                }

                if (!conn.TryReceive(ReceiveSliceMilliseconds, out IscsiPdu pdu))
                {
                    continue;
                }

                if (Dispatch(conn, pdu) && Volatile.Read(ref _inFlight) == 0)
                {
                    // Nothing left in flight: go dormant, so the next command's caller reads its own answer.
                    // Re-check after letting go — a command sent meanwhile may have counted on this thread.
                    Interlocked.Exchange(ref conn.ReaderRole, IscsiConnection.ReaderFree);
                    seenCallerReads = -1;
                    if (Volatile.Read(ref _inFlight) > 0)
                    {
                        Interlocked.CompareExchange(ref conn.ReaderRole, IscsiConnection.ReaderBackground, IscsiConnection.ReaderFree);
                    }
                }
            }
        }
        catch (Exception e)
        {
            ConnectionLost(conn, e);
        }
    }

    /// <summary>Handles one PDU from the target; true if it ended a command (SCSI status).</summary>
    private bool Dispatch(IscsiConnection conn, in IscsiPdu pdu)
    {
        Volatile.Write(ref _lastReceive, _time.GetTimestamp());
        UpdateSequenceNumbers(pdu.Bhs);
        switch (pdu.Opcode)
        {
            case IscsiOpcode.DataIn:
                return OnDataIn(conn, pdu);
            case IscsiOpcode.ScsiResponse:
                OnScsiResponse(conn, pdu);
                return true;
            case IscsiOpcode.ReadyToTransfer:
                OnR2T(conn, pdu.Read<ReadyToTransferHeader>());
                return false;
            case IscsiOpcode.NopIn:
                OnNopIn(conn, pdu.Read<NopInHeader>());
                return false;
            case IscsiOpcode.TaskManagementResponse:
                OnTaskManagementResponse(pdu.Read<TaskManagementResponseHeader>());
                return false;
            case IscsiOpcode.LogoutResponse:
                Volatile.Read(ref _logout)?.TrySetResult(pdu.Read<LogoutResponseHeader>());
                return false;
            case IscsiOpcode.AsyncMessage:
                OnAsyncMessage(conn, pdu.Read<AsyncMessageHeader>());
                return false;
            case IscsiOpcode.Reject:
                OnReject(pdu);
                return false;
            default:
                throw new IscsiProtocolException(conn.Peer, $"unexpected {IscsiOpcodeInfo.Name(pdu.Opcode)} in full feature phase");
        }
    }

    /// <summary>A command's target side ended (status, abort, or connection gone).</summary>
    internal void OnTargetDone() => Interlocked.Decrement(ref _inFlight);

    /// <summary>StatSN/ExpCmdSN/MaxCmdSN sit at offsets 24/28/32 of every target PDU (§11.2.1, §4.2.2.1).</summary>
    private void UpdateSequenceNumbers(ReadOnlySpan<byte> bhs)
    {
        var op = BasicHeaderSegment.GetOpcode(bhs);
        uint statSN = BasicHeaderSegment.ReadUInt32(bhs, 24);
        uint expCmdSN = BasicHeaderSegment.ReadUInt32(bhs, 28);
        uint maxCmdSN = BasicHeaderSegment.ReadUInt32(bhs, 32);
        bool hasStatus = op switch
        {
            IscsiOpcode.ScsiResponse or IscsiOpcode.TaskManagementResponse or IscsiOpcode.LogoutResponse
                or IscsiOpcode.TextResponse or IscsiOpcode.AsyncMessage or IscsiOpcode.Reject => true,
            IscsiOpcode.DataIn => (bhs[1] & 0x01) != 0,
            IscsiOpcode.NopIn => BasicHeaderSegment.GetInitiatorTaskTag(bhs) != BasicHeaderSegment.ReservedTag,
            _ => false,
        };
        lock (_sn)
        {
            if (hasStatus && SerialNumber.LessOrEqual(_expStatSN, statSN))
            {
                _expStatSN = statSN + 1;
            }

            // §4.2.2.1: ignore the pair when MaxCmdSN < ExpCmdSN - 1.
            if (!SerialNumber.LessThan(maxCmdSN, expCmdSN - 1))
            {
                if (SerialNumber.LessThan(_expCmdSN, expCmdSN))
                {
                    _expCmdSN = expCmdSN;
                }

                if (SerialNumber.LessThan(_maxCmdSN, maxCmdSN))
                {
                    _maxCmdSN = maxCmdSN;
                    if (_window is { } w)
                    {
                        _window = null;
                        w.TrySetResult();
                    }
                }
            }
        }
    }

    private IscsiCommandSlot? Find(uint tag, IscsiConnection conn)
    {
        uint index = tag & IscsiCommandSlot.IndexMask;
        if ((tag & (PingTagBit | TmfTagBit)) != 0 || index >= (uint)_slots.Length)
        {
            return null;
        }

        var slot = _slots[index];
        return slot.IsActive && slot.Tag == tag && slot.Connection == conn ? slot : null;
    }

    private bool OnDataIn(IscsiConnection conn, in IscsiPdu pdu)
    {
        var h = pdu.Read<DataInHeader>();
        var slot = Find(h.InitiatorTaskTag, conn)
            ?? throw new IscsiProtocolException(conn.Peer, $"Data-In for unknown task tag 0x{h.InitiatorTaskTag:X8}");
        int length = pdu.DataSegmentLength;
        if (length > 0)
        {
            if (slot.Direction != DataDirection.FromDevice || h.BufferOffset > (uint)slot.Data.Length || length > slot.Data.Length - (int)h.BufferOffset)
            {
                throw new IscsiProtocolException(conn.Peer,
                    $"Data-In for {OpName(slot.Operation)} at offset {h.BufferOffset} with {length} bytes overflows the {slot.Data.Length}-byte buffer");
            }

            if (!slot.IsCompleted)
            {
                pdu.Data.CopyTo(slot.Data.Span[(int)h.BufferOffset..]);
            }

            slot.Received = Math.Max(slot.Received, (int)h.BufferOffset + length);
        }

        if (h.HasStatus)
        {
            // Status in the final Data-In (§11.7.4): no SCSI Response follows.
            int residual = h.Underflow ? (int)Math.Min(h.ResidualCount, (uint)slot.Data.Length) : 0;
            slot.TryComplete(new ScsiCommandResult((ScsiStatus)h.Status, 0, residual));
            slot.MarkTargetDone();
            return true;
        }

        return false;
    }

    private void OnScsiResponse(IscsiConnection conn, in IscsiPdu pdu)
    {
        var h = pdu.Read<ScsiResponseHeader>();
        var slot = Find(h.InitiatorTaskTag, conn);
        if (slot is null)
        {
            throw new IscsiProtocolException(conn.Peer, $"SCSI Response for unknown task tag 0x{h.InitiatorTaskTag:X8}");
        }

        if (h.Response != ScsiResponseHeader.CommandCompleted)
        {
            slot.TryFail(new ScsiTransportException(_device, ScsiTransportError.HostStatus,
                $"{OpName(slot.Operation)}: target failure (iSCSI response 0x{h.Response:X2}, RFC 7143 §11.4.3)"));
            slot.MarkTargetDone();
            return;
        }

        int senseLength = 0;
        if (pdu.DataSegmentLength >= 2 && !slot.IsCompleted)
        {
            // Data segment: SenseLength (2 bytes, big-endian) + sense data (§11.4.7.2).
            Span<byte> len = stackalloc byte[2];
            pdu.Data.Slice(0, 2).CopyTo(len);
            int declared = (len[0] << 8) | len[1];
            int available = Math.Min(declared, pdu.DataSegmentLength - 2);
            senseLength = Math.Min(available, slot.Sense.Length);
            pdu.Data.Slice(2, senseLength).CopyTo(slot.Sense.Span);
        }

        int residual = 0;
        if (h.Underflow)
        {
            residual = (int)Math.Min(h.ResidualCount, (uint)slot.Data.Length);
        }
        else if (slot.Direction == DataDirection.FromDevice && !h.Overflow && slot.Received < slot.Data.Length && h.Status == 0)
        {
            residual = slot.Data.Length - slot.Received;
        }

        slot.TryComplete(new ScsiCommandResult((ScsiStatus)h.Status, senseLength, residual));
        slot.MarkTargetDone();
    }

    private void OnR2T(IscsiConnection conn, ReadyToTransferHeader h)
    {
        var slot = Find(h.InitiatorTaskTag, conn)
            ?? throw new IscsiProtocolException(conn.Peer, $"R2T for unknown task tag 0x{h.InitiatorTaskTag:X8}");
        if (slot.Direction != DataDirection.ToDevice || h.BufferOffset > (uint)slot.Data.Length
            || h.DesiredDataTransferLength > (uint)slot.Data.Length - h.BufferOffset || h.DesiredDataTransferLength == 0)
        {
            throw new IscsiProtocolException(conn.Peer,
                $"R2T for {OpName(slot.Operation)} asks for {h.DesiredDataTransferLength} bytes at offset {h.BufferOffset} of a {slot.Data.Length}-byte buffer");
        }

        conn.LockSend();
        try
        {
            SendDataOutLocked(conn, slot, h.TargetTransferTag, (int)h.BufferOffset, (int)h.DesiredDataTransferLength);
        }
        finally
        {
            conn.UnlockSend();
        }
    }

    private void OnNopIn(IscsiConnection conn, NopInHeader h)
    {
        if (h.InitiatorTaskTag != BasicHeaderSegment.ReservedTag)
        {
            // Answer to our ping.
            if (Interlocked.CompareExchange(ref _pingTag, 0, h.InitiatorTaskTag) == h.InitiatorTaskTag)
            {
                Interlocked.Increment(ref _keepalivesAnswered);
            }

            return;
        }

        if (h.TargetTransferTag != BasicHeaderSegment.ReservedTag)
        {
            // The target pings us (§11.19): answer with a NOP-Out echoing TTT and LUN, ITT 0xFFFFFFFF.
            NopOutHeader reply;
            lock (_sn)
            {
                reply = new NopOutHeader(true, h.Lun, BasicHeaderSegment.ReservedTag, h.TargetTransferTag, _cmdSN, _expStatSN);
            }

            conn.Send(reply, default);
            Interlocked.Increment(ref _targetPingsAnswered);
        }
    }

    private void OnTaskManagementResponse(TaskManagementResponseHeader h)
    {
        lock (_sn)
        {
            if (_tmf is not null && h.InitiatorTaskTag == _tmfTag)
            {
                _tmf.TrySetResult(h.Response);
                _tmf = null;
            }
        }
    }

    private void OnAsyncMessage(IscsiConnection conn, AsyncMessageHeader h)
    {
        switch (h.AsyncEvent)
        {
            case AsyncEvent.LogoutRequested or AsyncEvent.ConnectionWillBeDropped or AsyncEvent.SessionWillBeDropped:
                // ERL 0: re-establish the session rather than wait to be dropped.
                throw new IOException($"target announced {h.AsyncEvent} (async event {(byte)h.AsyncEvent})");
            default:
                return; // SCSI async events and renegotiation requests: nothing to do at ERL 0.
        }
    }

    private void OnReject(in IscsiPdu pdu)
    {
        var h = pdu.Read<RejectHeader>();
        if (pdu.DataSegmentLength < BasicHeaderSegment.Length)
        {
            return;
        }

        Span<byte> rejected = stackalloc byte[BasicHeaderSegment.Length];
        pdu.Data.Slice(0, BasicHeaderSegment.Length).CopyTo(rejected);
        uint tag = BasicHeaderSegment.GetInitiatorTaskTag(rejected);
        var op = BasicHeaderSegment.GetOpcode(rejected);
        IscsiConnection? conn = Volatile.Read(ref _conn);
        if (conn is not null && Find(tag, conn) is { } slot)
        {
            var inner = IscsiProtocolException.Rejected(conn.Peer, h.Reason, op);
            slot.TryFail(new ScsiTransportException(_device, ScsiTransportError.Protocol, $"{OpName(slot.Operation)}: {inner.Message}", 0, inner));
            slot.MarkTargetDone();
        }
    }

    // ---- timers --------------------------------------------------------------------------------

    internal void OnCommandTimeout(IscsiCommandSlot slot)
    {
        uint tag = slot.Tag;
        IscsiConnection? conn = slot.Connection;
        if (_time.GetElapsedTime(slot.StartTimestamp) < slot.Timeout / 2)
        {
            // A callback of the slot's previous use that was already running when that use completed
            // (a genuine timeout fires at the full timeout, not within its first half).
            return;
        }

        if (!slot.TryFail(new ScsiTransportException(_device, ScsiTransportError.Timeout,
                $"{OpName(slot.Operation)} got no status within {slot.Timeout.TotalMilliseconds:0} ms; the task is being aborted")))
        {
            return;
        }

        _ = AbortTimedOutAsync(slot, tag, slot.CmdSN, conn);
    }

    internal void OnCommandCanceled(IscsiCommandSlot slot)
    {
        uint tag = slot.Tag;
        IscsiConnection? conn = slot.Connection;
        if (slot.TryFail(new ScsiTransportException(_device, ScsiTransportError.Aborted, $"{OpName(slot.Operation)} was canceled by the caller")))
        {
            _ = AbortTimedOutAsync(slot, tag, slot.CmdSN, conn);
        }
    }

    /// <summary>ABORT TASK for a task we gave up on (§11.5.1); if that fails, the connection is dropped.</summary>
    private async Task AbortTimedOutAsync(IscsiCommandSlot slot, uint tag, uint cmdSN, IscsiConnection? conn)
    {
        try
        {
            await TaskManagementAsync(TaskManagementFunction.AbortTask, slot.Lun, tag, cmdSN, _life.Token).ConfigureAwait(false);
            if (slot.Tag == tag)
            {
                slot.MarkTargetDone();
            }
        }
        catch (Exception e) when (e is ScsiTransportException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (conn is not null && slot.Tag == tag && slot.Connection == conn)
            {
                ConnectionLost(conn, new IOException("ABORT TASK for a timed-out command failed: " + e.Message, e));
            }
        }
    }

    private void OnNopTimer()
    {
        IscsiConnection? conn = Volatile.Read(ref _conn);
        if (conn is null)
        {
            return;
        }

        long now = _time.GetTimestamp();
        uint outstanding = Volatile.Read(ref _pingTag);
        if (outstanding != 0)
        {
            if (_time.GetElapsedTime(Volatile.Read(ref _pingSent), now) >= _options.NopTimeout)
            {
                ConnectionLost(conn, new TimeoutException($"no NOP-In answered our NOP-Out within {_options.NopTimeout.TotalSeconds:0.#} s"));
            }

            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceive), now) < _options.NopInterval)
        {
            return;
        }

        uint tag = PingTagBit | (Interlocked.Increment(ref _pingSeq) & 0x7FFF_FFFF);
        if (tag == BasicHeaderSegment.ReservedTag)
        {
            tag = PingTagBit | 1;
        }

        Volatile.Write(ref _pingSent, now);
        Volatile.Write(ref _pingTag, tag);
        _ = SendPingAsync(conn, tag);
    }

    private async Task SendPingAsync(IscsiConnection conn, uint tag)
    {
        try
        {
            NopOutHeader h;
            lock (_sn)
            {
                h = new NopOutHeader(true, 0, tag, BasicHeaderSegment.ReservedTag, _cmdSN, _expStatSN);
            }

            await conn.SendAsync(h, ReadOnlyMemory<byte>.Empty, _life.Token).ConfigureAwait(false);
            ActivateReceiveThread(conn);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            ConnectionLost(conn, e);
        }
    }

    // ---- slots ----------------------------------------------------------------------------------

    private IscsiCommandSlot Rent()
    {
        lock (_free)
        {
            return _free.Pop();
        }
    }

    internal void ReturnSlot(IscsiCommandSlot slot)
    {
        lock (_free)
        {
            _free.Push(slot);
        }

        _slotsAvailable.Release();
    }

    private void Validate(ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, TimeSpan timeout)
    {
        if (cdb.Length is 0 or > 16 + 255)
        {
            throw new ArgumentOutOfRangeException(nameof(cdb), cdb.Length, $"device {_device}: a CDB has 1 to 271 bytes");
        }

        if (direction == DataDirection.None && !data.IsEmpty)
        {
            throw new ArgumentException($"device {_device}: {OpName(cdb.Span[0])} has no data phase but a {data.Length}-byte buffer was passed", nameof(data));
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"device {_device}: the command timeout must be positive");
        }
    }

    private static string OpName(byte opcode) => HwFence.Scsi.Commands.ScsiCommandNames.Name([opcode]);
}

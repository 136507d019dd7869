using System.Net;
using System.Net.Sockets;
using HwFence.Emulator.Nexus;

namespace HwFence.Emulator.Iscsi;

/// <summary>
/// Serves an <see cref="EmulatedTarget"/> over iSCSI (RFC 7143) on one TCP listener: accepts
/// connections, runs each in its own loop, reinstates sessions of a returning initiator port,
/// and applies the target-level faults (drop an initiator's connections, stop).
/// <code>
/// await using var server = IscsiTargetServer.Start(disk.Target, new IscsiTargetOptions { Listen = new(IPAddress.Loopback, 0) });
/// string url = server.UrlFor(0);   // iscsi://127.0.0.1:41234/iqn.2026-01.org.hwfence:emulator.disk-1/0
/// </code>
/// </summary>
public sealed class IscsiTargetServer : IAsyncDisposable
{
    private readonly EmulatedTarget _target;
    private readonly IscsiTargetOptions _options;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<IscsiTargetConnection> _connections = new();
    private readonly List<Task> _running = new();
    private readonly Task _acceptLoop;
    private int _tsih;

    private IscsiTargetServer(EmulatedTarget target, IscsiTargetOptions options, Socket listener)
    {
        _target = target;
        _options = options;
        _listener = listener;
        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _target.DropRequested += OnDropRequested;
        _target.Stopped += OnStopped;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where the server listens (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public EmulatedTarget Target => _target;

    /// <summary>Binds and starts accepting. Throws if the address is not loopback and remote binding was not allowed.</summary>
    public static IscsiTargetServer Start(EmulatedTarget target, IscsiTargetOptions? options = null)
    {
        options ??= new IscsiTargetOptions();
        options.Validate();
        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(options.Listen);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"emulator iSCSI target: cannot listen on {options.Listen} ({e.SocketErrorCode}: {e.Message}); choose another --listen port", e);
        }

        var server = new IscsiTargetServer(target, options, listener);
        target.Log.Info($"iSCSI target {target.Iqn} listening on {IscsiTargetConnection.FormatAddress(server.LocalEndPoint)}");
        return server;
    }

    /// <summary>The libiscsi-style URL of a LUN: <c>iscsi://host:port/iqn/lun</c> (design.md "Device addresses").</summary>
    public string UrlFor(int lun) => $"iscsi://{IscsiTargetConnection.FormatAddress(LocalEndPoint)}/{_target.Iqn}/{lun}";

    /// <summary>Number of open connections (sessions).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    internal ushort AllocateTsih()
    {
        while (true)
        {
            ushort t = (ushort)Interlocked.Increment(ref _tsih);
            if (t != 0)
            {
                return t;
            }
        }
    }

    /// <summary>Session reinstatement (RFC 7143 §6.3.5): a new login of the same initiator port closes the old session.</summary>
    internal void Reinstate(IscsiTargetConnection newcomer, InitiatorPortId initiator)
    {
        List<IscsiTargetConnection> old;
        lock (_connections)
        {
            old = _connections.Where(c => !ReferenceEquals(c, newcomer) && c.Nexus is { } n && n.Initiator == initiator).ToList();
        }

        foreach (var c in old)
        {
            _target.Log.Info($"iSCSI session reinstatement: {initiator.PortName} logged in again; closing its previous session (TSIH {c.Tsih})");
            if (c.Nexus is { } n)
            {
                _target.CloseNexus(n);
            }

            c.Abort();
        }
    }

    internal void Unregister(IscsiTargetConnection connection)
    {
        lock (_connections)
        {
            _connections.Remove(connection);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_shutdown.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            if (_target.IsStopped)
            {
                socket.Dispose(); // a powered-off target does not answer
                continue;
            }

            var connection = new IscsiTargetConnection(socket, this, _target, _options);
            lock (_connections)
            {
                _connections.Add(connection);
                _running.RemoveAll(t => t.IsCompleted);
                _running.Add(RunConnectionAsync(connection));
            }
        }
    }

    private async Task RunConnectionAsync(IscsiTargetConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_shutdown.Token).ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnDropRequested(string? initiatorName)
    {
        List<IscsiTargetConnection> victims;
        lock (_connections)
        {
            victims = _connections.Where(c => initiatorName is null || c.InitiatorName == initiatorName).ToList();
        }

        foreach (var c in victims)
        {
            c.Abort();
        }
    }

    private void OnStopped() => OnDropRequested(null);

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        _target.DropRequested -= OnDropRequested;
        _target.Stopped -= OnStopped;
        _shutdown.Cancel();
        _listener.Dispose();
        OnDropRequested(null);
        Task[] running;
        lock (_connections)
        {
            running = _running.ToArray();
        }

        try
        {
            await Task.WhenAll(running.Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _target.Log.Warn("iSCSI target: some connections did not close within 10 s of shutdown");
        }

        _shutdown.Dispose();
        _target.Log.Info($"iSCSI target {_target.Iqn} stopped listening on {IscsiTargetConnection.FormatAddress(LocalEndPoint)}");
    }
}

using System.Net;
using System.Net.Sockets;

namespace HwFence.Testing;

/// <summary>
/// A TCP forwarder on 127.0.0.1 that a test puts between a client and a server to break the
/// connection on purpose: <see cref="CutAll"/> resets every open connection (both sides see the
/// loss, as when a cable or switch fails), <see cref="RefuseNew"/> makes new connections fail.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly object _gate = new();
    private readonly List<(Socket Client, Socket Server)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _accepted;
    private TaskCompletionSource _flowing = NewOpenGate();

    /// <summary>Starts forwarding from a free port on 127.0.0.1 to <paramref name="upstreamHost"/>:<paramref name="upstreamPort"/>.</summary>
    public TcpProxy(string upstreamHost, int upstreamPort)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstreamHost), upstreamPort);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far (a reconnecting client makes it grow).</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Connections currently forwarded.</summary>
    public int OpenConnections
    {
        get
        {
            lock (_gate)
            {
                return _pairs.Count;
            }
        }
    }

    /// <summary>While true, new connections are accepted and immediately reset.</summary>
    public bool RefuseNew { get; set; }

    /// <summary>
    /// Stops forwarding in both directions without closing anything — a peer that hangs (SIGSTOP, a
    /// black-holed link): bytes already read are held until <see cref="Resume"/>.
    /// </summary>
    public void Hold()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Forwards again after <see cref="Hold"/>.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _flowing.TrySetResult();
        }
    }

    /// <summary>Resets (TCP RST) every open connection on both sides.</summary>
    public void CutAll()
    {
        List<(Socket, Socket)> pairs;
        lock (_gate)
        {
            pairs = _pairs.ToList();
            _pairs.Clear();
        }

        foreach (var (c, s) in pairs)
        {
            Abort(c);
            Abort(s);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Resume();
        _listener.Dispose();
        CutAll();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            if (RefuseNew)
            {
                Abort(client);
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                Abort(client);
                Abort(server);
                continue;
            }

            lock (_gate)
            {
                _pairs.Add((client, server));
            }

            _ = PumpAsync(client, server, client, server);
            _ = PumpAsync(server, client, client, server);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Socket client, Socket server)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                Task gate;
                lock (_gate)
                {
                    gate = _flowing.Task;
                }

                await gate.ConfigureAwait(false);
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        bool removed;
        lock (_gate)
        {
            removed = _pairs.Remove((client, server));
        }

        if (removed)
        {
            Abort(client);
            Abort(server);
        }
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private static void Abort(Socket s)
    {
        try
        {
            s.LingerState = new LingerOption(true, 0); // close sends RST
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        s.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net.Sockets;

namespace HwFence.Cluster.Api;

/// <summary>
/// A Unix-domain stream socket that serves one line-based protocol (PROTOCOL.md "Framing"): it
/// accepts connections, reads lines, passes each to a handler and writes the handler's reply line.
/// Serves both the cluster API (<c>api.sock</c>) and the operator control socket (<c>control.sock</c>).
/// </summary>
public sealed class LineSocketServer : IAsyncDisposable
{
    /// <summary>Longest accepted line (PROTOCOL.md "Framing"); a MARKER of 48 KiB fits as base64.</summary>
    public const int MaxLineBytes = 65_536;

    private readonly Socket _listener;
    private readonly Func<LineConnection, string, CancellationToken, Task<string?>> _handle;
    private readonly Action<LineConnection>? _closed;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<LineConnection, byte> _connections = new();
    private readonly Task _acceptLoop;

    /// <param name="socketPath">Where to listen; a stale socket file left by a previous daemon is replaced.</param>
    /// <param name="mode">Permission bits of the socket file (who may connect), e.g. 0600 for the operator only.</param>
    /// <param name="handle">One line → one reply line (null: no reply). Must not throw for bad input.</param>
    /// <param name="closed">Called once when a connection ends.</param>
    public LineSocketServer(string socketPath, UnixFileMode mode, Func<LineConnection, string, CancellationToken, Task<string?>> handle, Action<LineConnection>? closed = null)
    {
        SocketPath = socketPath;
        _handle = handle;
        _closed = closed;
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath); // a stale socket from a previous daemon; bind would fail with EADDRINUSE
        }

        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socketPath, mode);
        }

        _listener.Listen(16);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    /// <summary>Cancelled when the server stops (handlers pass it on).</summary>
    public CancellationToken Stopping => _stop.Token;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = new LineConnection(socket);
            _connections[connection] = 0;
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(LineConnection c)
    {
        try
        {
            while (await c.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                string? reply = await _handle(c, line, _stop.Token).ConfigureAwait(false);
                if (reply is not null)
                {
                    await c.WriteLineAsync(reply).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (InvalidDataException e)
        {
            try
            {
                await c.WriteLineAsync($"ERR {e.Message}").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
        finally
        {
            _closed?.Invoke(c);
            _connections.TryRemove(c, out _);
            c.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var c in _connections.Keys)
        {
            c.Dispose();
        }

        await _acceptLoop.ConfigureAwait(false);
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }

        _stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace HwFence.Cluster.Api;

/// <summary>
/// The Unix-domain socket server of the cluster API (protocol: PROTOCOL.md next to this file).
/// One connection per application instance; after REGISTER the connection is the way the
/// cluster sends that application pause/resume/unload requests (<see cref="IAwareApplicationChannel"/>).
/// </summary>
public sealed class ClusterApiServer : IAwareApplicationChannel, IAsyncDisposable
{
    /// <summary>Longest accepted line (PROTOCOL.md "Framing"); a MARKER of 48 KiB fits as base64.</summary>
    public const int MaxLineBytes = 65_536;

    private readonly Socket _listener;
    private readonly IClusterApiHandler _handler;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Connection> _byTag = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly Task _acceptLoop;

    public ClusterApiServer(string socketPath, IClusterApiHandler handler, TimeProvider time)
    {
        SocketPath = socketPath;
        _handler = handler;
        _time = time;
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath); // a stale socket from a previous daemon; bind would fail with EADDRINUSE
        }

        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    /// <summary>Tags with a registered connection.</summary>
    public IReadOnlyCollection<string> RegisteredTags => _byTag.Keys.ToList();

    public async Task<bool> RequestAsync(string tag, ApiRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!_byTag.TryGetValue(tag, out var connection))
        {
            return false;
        }

        return await connection.RequestAsync(request, timeout, _time, cancellationToken).ConfigureAwait(false);
    }

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

            var connection = new Connection(socket);
            _connections[connection] = 0;
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Connection c)
    {
        try
        {
            while (await c.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                string? reply = await HandleAsync(c, line).ConfigureAwait(false);
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
            if (c.Tag is { } tag)
            {
                _byTag.TryRemove(new KeyValuePair<string, Connection>(tag, c));
            }

            _connections.TryRemove(c, out _);
            c.Dispose();
        }
    }

    /// <summary>One command line → one reply line (null for ACK). Never throws for bad input.</summary>
    internal async Task<string?> HandleAsync(Connection c, string line)
    {
        int space = line.IndexOf(' ');
        string verb = space < 0 ? line : line[..space];
        string rest = space < 0 ? "" : line[(space + 1)..];
        if (verb != "REGISTER" && verb != "ACK" && c.Tag is null)
        {
            return $"ERR {verb}: REGISTER <tag> must come first";
        }

        switch (verb)
        {
            case "REGISTER":
                if (rest.Length == 0 || rest.Contains(' '))
                {
                    return "ERR REGISTER needs exactly one field: the application tag";
                }

                try
                {
                    string state = await _handler.RegisterAsync(rest, _stop.Token).ConfigureAwait(false);
                    c.Tag = rest;
                    _byTag[rest] = c;
                    return $"OK {state}";
                }
                catch (InvalidOperationException e)
                {
                    return $"ERR REGISTER: {e.Message}";
                }

            case "HEALTH":
                int sp = rest.IndexOf(' ');
                string health = sp < 0 ? rest : rest[..sp];
                if (health is not ("ok" or "degraded" or "failed"))
                {
                    return $"ERR HEALTH: state '{health}' is not ok, degraded or failed";
                }

                _handler.ReportHealth(c.Tag!, health, sp < 0 ? null : rest[(sp + 1)..]);
                return "OK";
            case "MARKER-SAVE":
                if (rest.Length == 0 || !IsBase64(rest))
                {
                    return "ERR MARKER-SAVE: the marker must be base64 (RFC 4648 §4)";
                }

                return _handler.SaveMarker(c.Tag!, rest) is { } error ? $"ERR MARKER-SAVE: {error}" : "OK";
            case "MARKER-GET":
                return $"MARKER {_handler.ReadMarker(c.Tag!) ?? "-"}";
            case "ACK":
                if (!long.TryParse(rest, out long id))
                {
                    return $"ERR ACK: '{rest}' is not a request id";
                }

                c.Acknowledge(id);
                return null;
            default:
                return $"ERR unknown command '{verb}'; expected REGISTER, HEALTH, MARKER-SAVE, MARKER-GET or ACK";
        }
    }

    private static bool IsBase64(string s)
    {
        Span<byte> buffer = s.Length <= 4096 ? stackalloc byte[s.Length] : new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out _);
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

    internal sealed class Connection(Socket socket) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly SemaphoreSlim _write = new(1, 1);
        private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();
        private readonly byte[] _buffer = new byte[4096];
        private readonly MemoryStream _line = new();
        private int _start;
        private int _end;
        private long _nextId;

        public string? Tag { get; set; }

        /// <summary>Reads one line; null at end of stream; <see cref="InvalidDataException"/> past <see cref="MaxLineBytes"/>.</summary>
        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            _line.SetLength(0);
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await _stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
                    if (_end == 0)
                    {
                        return null;
                    }
                }

                int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                int take = (nl < 0 ? _end : nl) - _start;
                if (_line.Length + take > MaxLineBytes)
                {
                    throw new InvalidDataException($"line too long (limit {MaxLineBytes} bytes)");
                }

                _line.Write(_buffer, _start, take);
                _start += take;
                if (nl >= 0)
                {
                    _start++;
                    return Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length).TrimEnd('\r');
                }
            }
        }

        public async Task WriteLineAsync(string line)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
            await _write.WaitAsync().ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(bytes).ConfigureAwait(false);
            }
            finally
            {
                _write.Release();
            }
        }

        public async Task<bool> RequestAsync(ApiRequest request, TimeSpan timeout, TimeProvider time, CancellationToken ct)
        {
            long id = Interlocked.Increment(ref _nextId);
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = tcs;
            try
            {
                await WriteLineAsync($"REQUEST {id} {request.ToString().ToLowerInvariant()}").ConfigureAwait(false);
                var delay = Task.Delay(timeout, time, ct);
                return await Task.WhenAny(tcs.Task, delay).ConfigureAwait(false) == tcs.Task;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                return false;
            }
            finally
            {
                _pending.TryRemove(id, out _);
            }
        }

        public void Acknowledge(long id)
        {
            if (_pending.TryGetValue(id, out var tcs))
            {
                tcs.TrySetResult();
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _write.Dispose();
        }
    }
}

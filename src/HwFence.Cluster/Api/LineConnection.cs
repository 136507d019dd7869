using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace HwFence.Cluster.Api;

/// <summary>
/// One client of a <see cref="LineSocketServer"/>: UTF-8 lines ending in <c>\n</c> (PROTOCOL.md
/// "Framing"), writes serialised, and numbered requests the peer acknowledges (the API's
/// <c>REQUEST id …</c> / <c>ACK id</c>).
/// </summary>
public sealed class LineConnection : IDisposable
{
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();
    private readonly byte[] _buffer = new byte[4096];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private long _nextId;

    internal LineConnection(Socket socket) => _stream = new NetworkStream(socket, ownsSocket: true);

    /// <summary>What the connection is bound to (the API: the application's tag after REGISTER).</summary>
    public string? Tag { get; set; }

    /// <summary>Reads one line; null at end of stream; <see cref="InvalidDataException"/> past <see cref="LineSocketServer.MaxLineBytes"/>.</summary>
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
            if (_line.Length + take > LineSocketServer.MaxLineBytes)
            {
                throw new InvalidDataException($"line too long (limit {LineSocketServer.MaxLineBytes} bytes)");
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

using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace HwFence.Cluster.Api;

/// <summary>
/// C# client for cluster-aware applications (protocol: PROTOCOL.md). Connect, <see cref="RegisterAsync"/>,
/// then report health and save the MARKER; set <see cref="OnRequest"/> to carry out pause/resume/unload
/// requests — the client acknowledges each one when the handler returns.
/// </summary>
public sealed class ClusterApiClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _command = new(1, 1);
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly Task _readLoop;

    private ClusterApiClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Carries out a request from the cluster; the client sends ACK when it returns.</summary>
    public Func<ApiRequest, Task>? OnRequest { get; set; }

    /// <summary>Connects to the daemon's socket (HWFENCE_API_SOCKET when <paramref name="socketPath"/> is null).</summary>
    public static async Task<ClusterApiClient> ConnectAsync(string? socketPath = null, CancellationToken cancellationToken = default)
    {
        socketPath ??= Environment.GetEnvironmentVariable("HWFENCE_API_SOCKET")
            ?? throw new InvalidOperationException("no socket path given and HWFENCE_API_SOCKET is not set; is this process started by the HwFence daemon?");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cluster API socket {socketPath}: {e.Message} — is the HwFence daemon running on this node?", e);
        }

        return new ClusterApiClient(socket);
    }

    /// <summary>Registers application <paramref name="tag"/>; true when it may work now ("active"), false when it must wait for resume.</summary>
    public async Task<bool> RegisterAsync(string tag, CancellationToken cancellationToken = default)
    {
        string reply = Expect(await CommandAsync($"REGISTER {tag}", cancellationToken).ConfigureAwait(false), "OK ");
        return reply == "active";
    }

    public async Task ReportHealthAsync(string state, string? detail = null, CancellationToken cancellationToken = default) =>
        Expect(await CommandAsync(detail is null ? $"HEALTH {state}" : $"HEALTH {state} {detail}", cancellationToken).ConfigureAwait(false), "OK");

    public async Task SaveMarkerAsync(ReadOnlyMemory<byte> marker, CancellationToken cancellationToken = default) =>
        Expect(await CommandAsync($"MARKER-SAVE {Convert.ToBase64String(marker.Span)}", cancellationToken).ConfigureAwait(false), "OK");

    /// <summary>The saved MARKER, or null when none was saved.</summary>
    public async Task<byte[]?> ReadMarkerAsync(CancellationToken cancellationToken = default)
    {
        string value = Expect(await CommandAsync("MARKER-GET", cancellationToken).ConfigureAwait(false), "MARKER ");
        return value == "-" ? null : Convert.FromBase64String(value);
    }

    private static string Expect(string reply, string prefix)
    {
        if (reply.StartsWith("ERR ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"cluster API: {reply[4..]}");
        }

        if (prefix.EndsWith(' ') ? !reply.StartsWith(prefix, StringComparison.Ordinal) : reply != prefix)
        {
            throw new InvalidDataException($"cluster API: unexpected reply '{reply}' (expected {prefix.Trim()})");
        }

        return reply[prefix.Length..];
    }

    private async Task<string> CommandAsync(string line, CancellationToken ct)
    {
        await _command.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WriteLineAsync(line).ConfigureAwait(false);
            try
            {
                return await _replies.Reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new IOException("cluster API: the daemon closed the connection");
            }
        }
        finally
        {
            _command.Release();
        }
    }

    private async Task WriteLineAsync(string line)
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

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await _reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("REQUEST ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 3 && Enum.TryParse<ApiRequest>(parts[2], ignoreCase: true, out var request))
                    {
                        _ = HandleRequestAsync(parts[1], request);
                    }

                    continue;
                }

                await _replies.Writer.WriteAsync(line).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            _replies.Writer.TryComplete();
        }
    }

    private async Task HandleRequestAsync(string id, ApiRequest request)
    {
        if (OnRequest is { } handler)
        {
            await handler(request).ConfigureAwait(false);
        }

        try
        {
            await WriteLineAsync($"ACK {id}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        _stream.Dispose();
        await _readLoop.ConfigureAwait(false);
        _reader.Dispose();
        _command.Dispose();
        _write.Dispose();
    }
}

using System.Net.Sockets;
using System.Text;

namespace HwFence.Emulator.Control;

/// <summary>
/// Listens on a Unix domain socket for <see cref="EmulatorControlProtocol"/> requests so that a
/// running <c>hwfence emulator serve</c> can be told to misbehave (<c>hwfence emulator fault …</c>).
/// The socket file is created with the process's umask and removed on dispose.
/// </summary>
public sealed class EmulatorControlServer : IAsyncDisposable
{
    private const int MaxRequest = 4096;
    private readonly EmulatedTarget _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _loop;

    private EmulatorControlServer(EmulatedTarget target, string path, Socket listener)
    {
        _target = target;
        Path = path;
        _listener = listener;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The socket's file path.</summary>
    public string Path { get; }

    /// <summary>Default path: $XDG_RUNTIME_DIR (or /tmp)/hwfence-emulator-&lt;pid&gt;.sock.</summary>
    public static string DefaultPath() =>
        System.IO.Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } d ? d : System.IO.Path.GetTempPath(),
            $"hwfence-emulator-{Environment.ProcessId}.sock");

    /// <summary>Binds <paramref name="path"/> (a stale socket file from a dead emulator is replaced).</summary>
    public static EmulatorControlServer Start(EmulatedTarget target, string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(16);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"emulator control socket {path}: cannot listen ({e.Message}); choose another --control path", e);
        }

        return new EmulatorControlServer(target, path, listener);
    }

    /// <summary>Client side: sends one request line to the socket at <paramref name="path"/> and returns the answer line.</summary>
    public static async Task<string> SendAsync(string path, string request, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"emulator control socket {path}: cannot connect ({e.Message}); is `hwfence emulator serve` running? It prints its control socket path at start", e);
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ReplaceLineEndings(" ") + "\n"), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, total).TrimEnd('\n');
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                var buffer = new byte[MaxRequest];
                int total = 0;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (total < buffer.Length && Array.IndexOf(buffer, (byte)'\n', 0, total) < 0)
                {
                    int n = await client.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }

                int end = Array.IndexOf(buffer, (byte)'\n', 0, total);
                string line = Encoding.UTF8.GetString(buffer, 0, end < 0 ? total : end);
                string answer = EmulatorControlProtocol.Execute(_target, line);
                await client.SendAsync(Encoding.UTF8.GetBytes(answer + "\n"), SocketFlags.None).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        _listener.Dispose();
        await _loop.ConfigureAwait(false);
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }

        _shutdown.Dispose();
    }
}

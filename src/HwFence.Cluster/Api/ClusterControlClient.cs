using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace HwFence.Cluster.Api;

/// <summary>
/// The operator's side of the control socket: one request, one reply (PROTOCOL.md "Operator control
/// socket"). Errors name the socket and the remedy.
/// </summary>
public static class ClusterControlClient
{
    /// <summary>The reply to one request: <see cref="Ok"/> with its JSON, or the daemon's reason.</summary>
    public sealed record Reply(bool Ok, JsonElement Result, string? Error);

    /// <summary>Sends <paramref name="request"/> and waits for the reply line.</summary>
    /// <exception cref="IOException">No daemon listens at <paramref name="socketPath"/>, or it hung up or did not answer.</exception>
    public static async Task<Reply> SendAsync(string socketPath, string request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (request.Contains('\n') || request.Contains('\r'))
        {
            throw new ArgumentException("a control request is one line", nameof(request));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused or SocketError.AccessDenied || !File.Exists(socketPath))
        {
            throw new IOException(e.SocketErrorCode == SocketError.AccessDenied
                ? $"{socketPath}: permission denied — the control socket is for the user the daemon runs as (usually root)"
                : $"no daemon listening at {socketPath} — is `hwfence node run` running on this node (and is this its state directory)?", e);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n"), cts.Token).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? line;
        try
        {
            line = await reader.ReadLineAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"{socketPath}: the daemon did not answer within {timeout.TotalSeconds:0} s");
        }

        return Parse(line, socketPath);
    }

    /// <summary>Parses one reply line; an unexpected line is an <see cref="IOException"/> naming the socket.</summary>
    public static Reply Parse(string? line, string socketPath)
    {
        if (line is null)
        {
            throw new IOException($"{socketPath}: the daemon closed the connection without answering");
        }

        if (line.StartsWith("ERR ", StringComparison.Ordinal))
        {
            return new Reply(false, default, line[4..]);
        }

        if (line.StartsWith("OK ", StringComparison.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(line[3..]);
                return new Reply(true, doc.RootElement.Clone(), null);
            }
            catch (JsonException e)
            {
                throw new IOException($"{socketPath}: the daemon's reply is not valid JSON ({e.Message})");
            }
        }

        throw new IOException($"{socketPath}: unexpected reply '{(line.Length > 80 ? line[..80] + "…" : line)}'");
    }
}

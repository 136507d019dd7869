using System.Collections.Concurrent;

namespace HwFence.Cluster.Api;

/// <summary>
/// The Unix-domain socket server of the cluster API (protocol: PROTOCOL.md next to this file).
/// One connection per application instance; after REGISTER the connection is the way the
/// cluster sends that application pause/resume/unload requests (<see cref="IAwareApplicationChannel"/>).
/// </summary>
public sealed class ClusterApiServer : IAwareApplicationChannel, IAsyncDisposable
{
    /// <summary>Longest accepted line (PROTOCOL.md "Framing"); a MARKER of 48 KiB fits as base64.</summary>
    public const int MaxLineBytes = LineSocketServer.MaxLineBytes;

    private readonly LineSocketServer _server;
    private readonly IClusterApiHandler _handler;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, LineConnection> _byTag = new();

    /// <summary>Listens at <paramref name="socketPath"/> with mode 0660 (the daemon's user and group: the applications).</summary>
    public ClusterApiServer(string socketPath, IClusterApiHandler handler, TimeProvider time)
    {
        _handler = handler;
        _time = time;
        _server = new LineSocketServer(
            socketPath,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            (c, line, _) => HandleAsync(c, line),
            c =>
            {
                if (c.Tag is { } tag)
                {
                    _byTag.TryRemove(new KeyValuePair<string, LineConnection>(tag, c));
                }
            });
    }

    public string SocketPath => _server.SocketPath;

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

    /// <summary>One command line → one reply line (null for ACK). Never throws for bad input.</summary>
    internal async Task<string?> HandleAsync(LineConnection c, string line)
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
                    string state = await _handler.RegisterAsync(rest, _server.Stopping).ConfigureAwait(false);
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

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

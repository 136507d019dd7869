using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HwFence.Cluster.Api;

/// <summary>
/// The operator control socket, STATE_DIR/control.sock (mode 0600: the daemon's user only), behind
/// <c>hwfence app …</c> and <c>hwfence group …</c>. Same framing as the cluster API (one
/// <see cref="LineSocketServer"/> serves both); its commands and replies are in PROTOCOL.md
/// "Operator control socket". Every request gets exactly one reply line: <c>OK &lt;json&gt;</c> or
/// <c>ERR &lt;why&gt;</c>. Never throws for bad input.
/// </summary>
public sealed class ClusterControlServer : IAsyncDisposable
{
    /// <summary>The commands, in the order the help and errors list them.</summary>
    public static readonly IReadOnlyList<string> Commands =
    [
        "STATUS", "APP-LOAD", "APP-UNLOAD", "APP-MOVE", "APP-FAILBACK", "APP-ADD", "APP-REMOVE",
        "GROUP-LIST", "GROUP-ADD-MEMBER", "GROUP-REMOVE-MEMBER", "GROUP-MOVE-MEMBER",
    ];

    /// <summary>JSON of the replies: compact (one line), enums as names.</summary>
    public static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly LineSocketServer _server;
    private readonly IClusterControlHandler _handler;

    public ClusterControlServer(string socketPath, IClusterControlHandler handler)
    {
        _handler = handler;
        _server = new LineSocketServer(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite, (_, line, ct) => HandleAsync(line, ct));
    }

    public string SocketPath => _server.SocketPath;

    /// <summary>One request line → one reply line.</summary>
    internal async Task<string?> HandleAsync(string line, CancellationToken cancellationToken)
    {
        int space = line.IndexOf(' ');
        string verb = space < 0 ? line : line[..space];
        string rest = space < 0 ? "" : line[(space + 1)..];
        string[] args = verb == "APP-ADD" ? [rest] : rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return verb switch
            {
                "STATUS" => Ok(_handler.Status(), args, 0),
                "APP-LOAD" => Arity(verb, args, 1, "<tag>") ?? Ok(new { node = _handler.NodeName, tag = args[0], registration = await _handler.LoadAsync(args[0], cancellationToken).ConfigureAwait(false) }),
                "APP-UNLOAD" => Arity(verb, args, 1, "<tag>") ?? Done(verb, await _handler.UnloadAsync(args[0], cancellationToken).ConfigureAwait(false), new { node = _handler.NodeName, tag = args[0] }),
                "APP-MOVE" => Arity(verb, args, 2, "<tag> <node>") ?? Done(verb, await _handler.MoveAsync(args[0], args[1], cancellationToken).ConfigureAwait(false), new { node = _handler.NodeName, tag = args[0], to = args[1] }),
                "APP-FAILBACK" => Arity(verb, args, 1, "<tag>") ?? Done(verb, _handler.ConfirmFailback(args[0]), new { node = _handler.NodeName, tag = args[0] }),
                "APP-ADD" => Add(rest),
                "APP-REMOVE" => Arity(verb, args, 1, "<tag>") ?? Done(verb, _handler.Remove(args[0]), new { node = _handler.NodeName, tag = args[0] }),
                "GROUP-LIST" => Ok(_handler.RedundancyGroups(), args, 0),
                "GROUP-ADD-MEMBER" => AddMember(args),
                "GROUP-REMOVE-MEMBER" => Arity(verb, args, 2, "<group> <partition>") ?? Done(verb, _handler.RemoveMember(args[0], args[1]), new { group = args[0], partition = args[1] }),
                "GROUP-MOVE-MEMBER" => Arity(verb, args, 2, "<partition> <group>") ?? Done(verb, _handler.MoveMember(args[0], args[1]), new { partition = args[0], group = args[1] }),
                _ => $"ERR unknown command '{Printable(verb)}'; expected one of {string.Join(", ", Commands)}",
            };
        }
        catch (InvalidOperationException e)
        {
            return $"ERR {verb}: {OneLine(e.Message)}";
        }
        catch (OperationCanceledException)
        {
            return $"ERR {verb}: the daemon is stopping";
        }
    }

    private string Add(string json)
    {
        ControlAppSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ControlAppSpec>(json, Json);
        }
        catch (JsonException e)
        {
            return $"ERR APP-ADD: the argument is not a valid application JSON object ({OneLine(e.Message)})";
        }

        if (spec is null)
        {
            return "ERR APP-ADD: needs a JSON object with tag, group, primary, backups and argv";
        }

        return spec.Validate() is { } invalid
            ? $"ERR APP-ADD: {invalid}"
            : Done("APP-ADD", _handler.Add(spec.ToApplication()), new { node = _handler.NodeName, tag = spec.Tag });
    }

    private string AddMember(string[] args)
    {
        if (args.Length is < 2 or > 3)
        {
            return "ERR GROUP-ADD-MEMBER needs <group> <partition> [position]";
        }

        int? position = null;
        if (args.Length == 3)
        {
            if (!int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int p))
            {
                return $"ERR GROUP-ADD-MEMBER: position '{Printable(args[2])}' is not a non-negative number";
            }

            position = p;
        }

        return Done("GROUP-ADD-MEMBER", _handler.AddMember(args[0], args[1], position), new { group = args[0], partition = args[1], position });
    }

    private static string? Arity(string verb, string[] args, int count, string usage) =>
        args.Length == count ? null : $"ERR {verb} needs {usage} ({args.Length} field{(args.Length == 1 ? "" : "s")} given)";

    private static string Done(string verb, string? error, object result) => error is null ? Ok(result) : $"ERR {verb}: {OneLine(error)}";

    private static string Ok(object result, string[] args, int arity) =>
        args.Length == arity ? Ok(result) : $"ERR takes no arguments ({args.Length} given)";

    private static string Ok(object result) => "OK " + JsonSerializer.Serialize(result, Json);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    /// <summary>Echoes operator input safely: control characters as '?', at most 64 characters.</summary>
    private static string Printable(string s)
    {
        var chars = s.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray();
        return new string(chars) + (s.Length > 64 ? "…" : "");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

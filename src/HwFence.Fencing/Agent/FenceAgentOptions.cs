using System.Globalization;
using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Agent;

/// <summary>
/// The options of one agent run, after parsing (stdin lines or flags; <see cref="FenceAgentOptionParser"/>)
/// and typing (<see cref="TryCreate"/>). Unknown stdin names are kept in <see cref="Ignored"/>: the API
/// says agents should ignore them.
/// </summary>
public sealed class FenceAgentOptions
{
    private FenceAgentOptions(IReadOnlyDictionary<string, string> values, IReadOnlyList<string> ignored)
    {
        Values = values;
        Ignored = ignored;
    }

    /// <summary>Raw values by parameter name (aliases resolved: port → plug, option → action).</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>Names that were given but are not ours (pcmk_*, ipaddr, …), for the verbose log.</summary>
    public IReadOnlyList<string> Ignored { get; }

    public FenceAgentAction Action { get; private init; }

    /// <summary>The fencing disks' addresses, in the order given.</summary>
    public IReadOnlyList<string> Devices { get; private init; } = [];

    /// <summary>The explicit key, if given (wins over plug/nodename).</summary>
    public RegistrationKey? Key { get; private init; }

    /// <summary>The target node: nodename if given (fence_scsi's precedence), else plug/port.</summary>
    public string? Target { get; private init; }

    public bool Aptpl { get; private init; }
    public bool Verbose { get; private init; }
    public bool Help { get; private init; }
    public bool Version { get; private init; }
    public string? ClusterName { get; private init; }
    public string CorosyncConf { get; private init; } = FenceAgentParameters.DefaultCorosyncConf;
    public string? LocalNode { get; private init; }
    public string StorePath { get; private init; } = FenceAgentParameters.DefaultStorePath;
    public string? InitiatorName { get; private init; }
    public string? LogFile { get; private init; }
    public string? DebugFile { get; private init; }
    public TimeSpan Delay { get; private init; }
    public TimeSpan IoTimeout { get; private init; } = TimeSpan.FromSeconds(FenceAgentParameters.DefaultIoTimeoutSeconds);

    /// <summary>How plug/nodename become a key (<c>key_value</c>); default <see cref="FenceAgentKeyScheme.Position"/> (fence_scsi's default, so the agent replaces it without re-keying the disks).</summary>
    public FenceAgentKeyScheme KeyScheme { get; private init; }

    /// <summary>Types and checks raw values; false with a message naming the parameter.</summary>
    public static bool TryCreate(
        IReadOnlyDictionary<string, string> values,
        IReadOnlyList<string> ignored,
        out FenceAgentOptions options,
        out string error)
    {
        options = new FenceAgentOptions(values, ignored);
        string? Get(string name) => values.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        bool Flag(string name) => values.TryGetValue(name, out var v) && IsTrue(v);

        var actionText = Get(FenceAgentParameters.Action) ?? "off";
        if (!FenceAgentActionNames.TryParse(actionText, out var action))
        {
            error = $"action \"{actionText}\": unknown — use on, off, reboot, status, list, list-status, monitor, metadata or validate-all";
            return false;
        }

        RegistrationKey? key = null;
        if (Get(FenceAgentParameters.Key) is { } keyText)
        {
            if (!RegistrationKey.TryParse(keyText, out var k, out var keyError))
            {
                error = keyError;
                return false;
            }

            key = k;
        }

        var keySchemeText = Get(FenceAgentParameters.KeyValue) ?? "id";
        if (!FenceAgentKeySchemes.TryParse(keySchemeText, out var keyScheme))
        {
            error = $"key_value \"{keySchemeText}\": unknown — use nodeid, id (fence_scsi's default) or hash";
            return false;
        }

        if (!TryParseSeconds(Get(FenceAgentParameters.Delay), FenceAgentParameters.Delay, 0, out var delay, out error)
            || !TryParseSeconds(Get(FenceAgentParameters.IoTimeout), FenceAgentParameters.IoTimeout,
                FenceAgentParameters.DefaultIoTimeoutSeconds, out var ioTimeout, out error))
        {
            return false;
        }

        if (ioTimeout <= TimeSpan.Zero)
        {
            error = "io_timeout: must be at least 1 second (a timeout is a failure, not a success)";
            return false;
        }

        options = new FenceAgentOptions(values, ignored)
        {
            Action = action,
            Key = key,
            Devices = SplitDevices(Get(FenceAgentParameters.Devices)),
            Target = Get(FenceAgentParameters.NodeName) ?? Get(FenceAgentParameters.Plug),
            Aptpl = Flag(FenceAgentParameters.Aptpl),
            Verbose = Flag(FenceAgentParameters.Verbose),
            Help = Flag(FenceAgentParameters.Help),
            Version = Flag(FenceAgentParameters.Version),
            ClusterName = Get(FenceAgentParameters.ClusterName),
            CorosyncConf = Get(FenceAgentParameters.CorosyncConf) ?? FenceAgentParameters.DefaultCorosyncConf,
            LocalNode = Get(FenceAgentParameters.LocalNode),
            StorePath = Get(FenceAgentParameters.StorePath) ?? FenceAgentParameters.DefaultStorePath,
            InitiatorName = Get(FenceAgentParameters.InitiatorName),
            LogFile = Get(FenceAgentParameters.LogFile),
            DebugFile = Get(FenceAgentParameters.DebugFile),
            Delay = delay,
            IoTimeout = ioTimeout,
            KeyScheme = keyScheme,
        };
        error = "";
        return true;
    }

    /// <summary>fence-agents read boolean stdin values 1/yes/on/true as set.</summary>
    public static bool IsTrue(string value) =>
        value.Trim().ToLowerInvariant() is "1" or "yes" or "on" or "true" or "y";

    /// <summary>Devices "can be comma or space separated" (fence_scsi).</summary>
    public static IReadOnlyList<string> SplitDevices(string? text) =>
        text is null ? [] : text.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryParseSeconds(string? text, string name, int fallback, out TimeSpan value, out string error)
    {
        error = "";
        if (text is null)
        {
            value = TimeSpan.FromSeconds(fallback);
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > 86_400)
        {
            value = default;
            error = $"{name} \"{text}\": expected a number of seconds between 0 and 86400";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}

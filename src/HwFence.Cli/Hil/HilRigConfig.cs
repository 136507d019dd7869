using YamlDotNet.RepresentationModel;

namespace HwFence.Cli.Hil;

/// <summary>
/// A rig file (hil/rigs/*.yaml). <c>kind: emulated</c> is run by this machine (emulator over iSCSI,
/// pty cables, loopback LAN); <c>kind: bench</c> describes real hardware and is refused here.
/// </summary>
/// <param name="Kind">emulated or bench.</param>
/// <param name="Nodes">Node processes (2-5; default 3, as the demo).</param>
/// <param name="SteadyTimeout">How long <c>wait: steady</c> waits (default 60 s: start-up of three dotnet processes on 2 cores plus initdead 3 s).</param>
/// <param name="SteadyAcks">Acknowledged records that must be added while on the primary for "steady" (default 10: about 1 s of the demo application).</param>
/// <param name="Jitter">Upper bound of the random delay before each action step, drawn from the seed (default 300 ms: half the deadtime).</param>
internal sealed record HilRigConfig(string Kind, int Nodes, TimeSpan SteadyTimeout, int SteadyAcks, TimeSpan Jitter)
{
    public static HilRigConfig Load(string path) =>
        TryParse(HilYaml.ReadFile(path, "rig"), path, out var rig, out string error) ? rig! : throw new FormatException(error);

    public static bool TryParse(string text, string path, out HilRigConfig? rig, out string error)
    {
        rig = null;
        if (!HilYaml.TryLoadMapping(text, path, "a rig file is a mapping with at least 'kind: emulated' or 'kind: bench'", out var root, out error))
        {
            return false;
        }

        string? kind = Get(root, "kind")?.Value;
        if (kind is not ("emulated" or "bench"))
        {
            error = $"{path}:{root.Start.Line}: field 'kind' must be emulated or bench, not '{kind}'";
            return false;
        }

        int nodes = 3;
        if (Get(root, "nodes") is { } n && (!int.TryParse(n.Value, out nodes) || nodes is < 2 or > 5))
        {
            error = $"{path}:{n.Start.Line}: field 'nodes' must be 2-5, not '{n.Value}'";
            return false;
        }

        int acks = 10;
        if (Get(root, "steady_acks") is { } a && (!int.TryParse(a.Value, out acks) || acks < 1))
        {
            error = $"{path}:{a.Start.Line}: field 'steady_acks' must be a positive number, not '{a.Value}'";
            return false;
        }

        var steady = TimeSpan.FromSeconds(60);
        if (Get(root, "steady_timeout") is { } s && !HilScenarioParser.TryDuration(s, out steady, out error))
        {
            error = $"{path}:{s.Start.Line}: field 'steady_timeout': {error}";
            return false;
        }

        var jitter = TimeSpan.FromMilliseconds(300);
        if (Get(root, "jitter") is { } j && !HilScenarioParser.TryDuration(j, out jitter, out error))
        {
            error = $"{path}:{j.Start.Line}: field 'jitter': {error}";
            return false;
        }

        rig = new HilRigConfig(kind, nodes, steady, acks, jitter);
        error = "";
        return true;
    }

    private static YamlScalarNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlScalarNode : null;
}

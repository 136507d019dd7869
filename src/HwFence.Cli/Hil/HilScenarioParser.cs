using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace HwFence.Cli.Hil;

/// <summary>
/// Reads a scenario file (format: hil/README.md). <see cref="TryParse"/> never throws: a malformed
/// file gives one error naming the file, the line and the step; <see cref="Load"/> is the throwing edge.
/// </summary>
internal static class HilScenarioParser
{
    public static HilScenario Load(string path) =>
        TryParse(HilYaml.ReadFile(path, "scenario"), path, out var scenario, out var error) ? scenario! : throw new FormatException(error);

    public static bool TryParse(string text, string path, out HilScenario? scenario, out string error)
    {
        scenario = null;
        if (!HilYaml.TryLoadMapping(text, path, "a scenario is a mapping with name, description and steps", out var root, out error))
        {
            return false;
        }

        string? name = Scalar(root, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            error = $"{path}:{Line(root)}: field 'name' is missing";
            return false;
        }

        foreach (var key in root.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: "name" or "description" or "steps" })
            {
                error = $"{path}:{Line(key)}: unknown field '{key}'; a scenario has name, description and steps";
                return false;
            }
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("steps"), out var stepsNode) || stepsNode is not YamlSequenceNode steps || steps.Children.Count == 0)
        {
            error = $"{path}:{Line(root)}: field 'steps' must be a non-empty list";
            return false;
        }

        var list = new List<HilStep>();
        for (int i = 0; i < steps.Children.Count; i++)
        {
            var node = steps.Children[i];
            if (!TryParseStep(node, i + 1, out var step, out string why))
            {
                error = $"{path}:{Line(node)}: step {i + 1}: {why}";
                return false;
            }

            list.Add(step!);
        }

        scenario = new HilScenario(name, Scalar(root, "description") ?? "", path, list);
        error = "";
        return true;
    }

    private static bool TryParseStep(YamlNode node, int index, out HilStep? step, out string error)
    {
        step = null;
        if (node is not YamlMappingNode map || map.Children.Count != 1)
        {
            error = "a step is a mapping with exactly one verb (wait, kill, freeze, thaw, restart, cut, heal, hold, expect, expect-not)";
            return false;
        }

        var (keyNode, value) = map.Children.First();
        string verbName = (keyNode as YamlScalarNode)?.Value ?? "";
        int line = Line(node);
        error = "";
        switch (verbName)
        {
            case "wait":
                if (value is not YamlScalarNode { Value: "steady" })
                {
                    error = "wait: the only condition is 'steady'";
                    return false;
                }

                step = new HilStep(index, line, HilVerb.Wait);
                error = "";
                return true;

            case "kill" or "freeze" or "thaw" or "restart":
            {
                var verb = verbName switch { "kill" => HilVerb.Kill, "freeze" => HilVerb.Freeze, "thaw" => HilVerb.Thaw, _ => HilVerb.Restart };
                if (!TryRole(value as YamlScalarNode, allowAll: true, out var role, out error))
                {
                    error = $"{verbName}: {error}";
                    return false;
                }

                step = new HilStep(index, line, verb) { Role = role };
                return true;
            }

            case "cut" or "heal":
            {
                if (value is not YamlMappingNode args || !OnlyFields(args, ["path", "node"], out error))
                {
                    error = $"{verbName}: expects {{ path: lan|serial|disk, node: host|victim|first-backup }}" + (value is YamlMappingNode ? $" ({error})" : "");
                    return false;
                }

                HilPath? path = Scalar(args, "path") switch { "lan" => HilPath.Lan, "serial" => HilPath.Serial, "disk" => HilPath.Disk, _ => null };
                if (path is null)
                {
                    error = $"{verbName}: field 'path' must be lan, serial or disk, not '{Scalar(args, "path")}'";
                    return false;
                }

                if (!TryRole(Field(args, "node"), allowAll: false, out var role, out error))
                {
                    error = $"{verbName}: field 'node': {error}";
                    return false;
                }

                step = new HilStep(index, line, verbName == "cut" ? HilVerb.Cut : HilVerb.Heal) { Path = path, Role = role };
                return true;
            }

            case "hold":
                if (!TryDuration(value as YamlScalarNode, out var hold, out error))
                {
                    error = $"hold: {error}";
                    return false;
                }

                step = new HilStep(index, line, HilVerb.Hold) { Duration = hold };
                return true;

            case "expect" or "expect-not":
            {
                string limitField = verbName == "expect" ? "within" : "during";
                if (value is not YamlMappingNode args || !OnlyFields(args, ["event", "node", limitField], out error))
                {
                    error = $"{verbName}: expects {{ event: NAME, {limitField}: 5s }} with an optional node: ROLE" + (value is YamlMappingNode ? $" ({error})" : "");
                    return false;
                }

                if (!HilEvents.TryResolve(Scalar(args, "event") ?? "", out string kind, out error))
                {
                    error = $"{verbName}: field 'event': {error}";
                    return false;
                }

                if (!TryDuration(Field(args, limitField), out var limit, out error))
                {
                    error = $"{verbName}: field '{limitField}': {error}";
                    return false;
                }

                HilRole? role = null;
                if (Field(args, "node") is { } roleNode)
                {
                    if (!TryRole(roleNode, allowAll: false, out var r, out error))
                    {
                        error = $"{verbName}: field 'node': {error}";
                        return false;
                    }

                    role = r;
                }

                step = new HilStep(index, line, verbName == "expect" ? HilVerb.Expect : HilVerb.ExpectNot) { Event = kind, Duration = limit, Role = role };
                error = "";
                return true;
            }

            default:
                error = $"unknown verb '{verbName}'; use wait, kill, freeze, thaw, restart, cut, heal, hold, expect or expect-not";
                return false;
        }
    }

    private static bool OnlyFields(YamlMappingNode map, string[] allowed, out string error)
    {
        foreach (var key in map.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } k } || !allowed.Contains(k))
            {
                error = $"unknown field '{key}'";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool TryRole(YamlScalarNode? node, bool allowAll, out HilRole role, out string error)
    {
        role = default;
        HilRole? r = node?.Value switch
        {
            "host" => HilRole.Host,
            "victim" => HilRole.Victim,
            "first-backup" => HilRole.FirstBackup,
            "all" when allowAll => HilRole.All,
            _ => null,
        };
        if (r is null)
        {
            error = $"node role '{node?.Value}' is not one of host, victim, first-backup{(allowAll ? ", all" : "")}";
            return false;
        }

        role = r.Value;
        error = "";
        return true;
    }

    /// <summary>Durations as in cluster.yaml: 500ms, 3s, 1.5s, 2m.</summary>
    internal static bool TryDuration(YamlScalarNode? node, out TimeSpan value, out string error)
    {
        value = default;
        string s = node?.Value?.Trim() ?? "";
        (string num, double scale) = s.EndsWith("ms", StringComparison.Ordinal) ? (s[..^2], 1.0)
            : s.EndsWith('s') ? (s[..^1], 1000.0)
            : s.EndsWith('m') ? (s[..^1], 60_000.0)
            : ("", 0);
        if (scale == 0 || !double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || n < 0 || n > 3600)
        {
            error = $"duration '{s}' is not a number with a unit (e.g. 500ms, 3s, 1m; at most an hour)";
            return false;
        }

        value = TimeSpan.FromMilliseconds(n * scale);
        error = "";
        return true;
    }

    private static YamlScalarNode? Field(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlScalarNode : null;

    private static string? Scalar(YamlMappingNode map, string key) => Field(map, key)?.Value;

    private static int Line(YamlNode node) => (int)node.Start.Line;
}

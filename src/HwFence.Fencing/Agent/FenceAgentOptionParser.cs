namespace HwFence.Fencing.Agent;

/// <summary>
/// Reads agent options the two ways the fence-agents API allows (doc/FenceAgentAPI.md):
/// <list type="bullet">
/// <item>stdin, as Pacemaker and fenced pass them: one <c>name=value</c> per line, '#' lines ignored,
///   leading whitespace stripped, the value running from the first '=' to the end of the line, the last
///   of repeated names winning, unknown names ignored;</item>
/// <item>command-line flags, for operators: <c>-o off</c>, <c>--action=off</c>, <c>--action off</c>,
///   <c>-ooff</c>, boolean flags without a value (<c>-a</c>, <c>--aptpl</c>); an unknown flag is an error.</item>
/// </list>
/// Both produce the same <see cref="FenceAgentOptions"/>.
/// </summary>
public static class FenceAgentOptionParser
{
    /// <summary>Parses stdin text. False with an error naming the line or parameter.</summary>
    public static bool TryParseStdin(string text, out FenceAgentOptions options, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();
        int lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').TrimStart();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                options = null!;
                error = $"stdin line {lineNumber} \"{Truncate(line)}\": expected name=value";
                return false;
            }

            var name = line[..eq].TrimEnd();
            var value = line[(eq + 1)..].Trim();
            var parameter = FenceAgentParameters.FindByName(name);
            if (parameter is null)
            {
                ignored.Add(name); // API: "Arguments which are not recognized should be ignored".
                continue;
            }

            values[parameter.Name] = value;
        }

        return FenceAgentOptions.TryCreate(values, ignored, out options, out error);
    }

    /// <summary>Parses command-line flags. False with an error naming the flag.</summary>
    public static bool TryParseArguments(IReadOnlyList<string> args, out FenceAgentOptions options, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        options = null!;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            FenceAgentParameter? parameter;
            string? inlineValue = null;
            string spelled;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var body = arg[2..];
                int eq = body.IndexOf('=');
                if (eq >= 0)
                {
                    inlineValue = body[(eq + 1)..];
                    body = body[..eq];
                }

                spelled = "--" + body;
                parameter = FenceAgentParameters.FindByName(body);
            }
            else if (arg.Length >= 2 && arg[0] == '-' && arg[1] != '-')
            {
                spelled = arg[..2];
                parameter = FenceAgentParameters.FindByShortFlag(arg[1]);
                if (arg.Length > 2)
                {
                    inlineValue = arg[2..].TrimStart('=');
                }
            }
            else
            {
                error = $"argument \"{Truncate(arg)}\": not a flag — use e.g. -o off -n node2 -d /dev/sdb, or pass name=value lines on stdin";
                return false;
            }

            if (parameter is null)
            {
                error = $"flag {spelled}: unknown — see 'hwfence fence-agent -o metadata' for the parameters";
                return false;
            }

            if (parameter.IsBoolean)
            {
                if (inlineValue is not null && arg.StartsWith("--", StringComparison.Ordinal))
                {
                    values[parameter.Name] = inlineValue;
                }
                else if (inlineValue is { Length: > 0 })
                {
                    error = $"flag {spelled}: takes no value";
                    return false;
                }
                else
                {
                    values[parameter.Name] = "1";
                }

                continue;
            }

            if (inlineValue is null)
            {
                if (i + 1 >= args.Count)
                {
                    error = $"flag {spelled} ({parameter.Name}): missing its value";
                    return false;
                }

                inlineValue = args[++i];
            }

            values[parameter.Name] = inlineValue;
        }

        return FenceAgentOptions.TryCreate(values, [], out options, out error);
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "…";
}

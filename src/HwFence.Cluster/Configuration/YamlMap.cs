using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace HwFence.Cluster.Configuration;

/// <summary>
/// Reads one YAML mapping field by field, recording each error with the node's start mark
/// (file, line, column) and the dotted field path. Every key asked for is "known"; whatever is
/// left at <see cref="RejectUnknownKeys"/> is an error with a did-you-mean hint.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlMap(YamlMappingNode node, string path, ConfigErrors errors)
    {
        _node = node;
        Path = path;
        Errors = errors;
    }

    public string Path { get; }
    public ConfigErrors Errors { get; }
    public YamlNode Node => _node;

    public string Field(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Casts <paramref name="node"/> to a mapping or records "expected a mapping".</summary>
    public static YamlMap? From(YamlNode? node, string path, ConfigErrors errors)
    {
        if (node is YamlMappingNode m)
        {
            return new YamlMap(m, path, errors);
        }

        if (node is not null)
        {
            errors.Add(node, path, $"expected a mapping (key: value lines), got {Describe(node)}");
        }

        return null;
    }

    public YamlNode? Get(string key, bool required = false)
    {
        _known.Add(key);
        foreach (var (k, v) in _node.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }

        if (required)
        {
            Errors.Add(_node, Field(key), "is required but missing");
        }

        return null;
    }

    public string? String(string key, bool required = false, string? fallback = null)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return fallback;
        }

        if (node is YamlScalarNode { Value: { } value } && value.Length > 0)
        {
            return value;
        }

        Errors.Add(node, Field(key), $"expected a non-empty text value, got {Describe(node)}");
        return fallback;
    }

    public int? Int(string key, bool required = false, int min = int.MinValue, int max = int.MaxValue)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            if (value < min || value > max)
            {
                Errors.Add(node, Field(key), $"{value} is out of range {min}–{max}");
                return null;
            }

            return value;
        }

        Errors.Add(node, Field(key), $"expected an integer, got {Describe(node)}");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text })
        {
            switch (text.ToLowerInvariant())
            {
                case "true" or "yes" or "on": return true;
                case "false" or "no" or "off": return false;
            }
        }

        Errors.Add(node, Field(key), $"expected true or false, got {Describe(node)}");
        return null;
    }

    /// <summary>A duration: "500ms", "10s", "2m", "1h" or a bare number of seconds.</summary>
    public TimeSpan? Duration(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && TryParseDuration(text, out var value))
        {
            return value;
        }

        Errors.Add(node, Field(key), $"expected a duration such as 500ms, 10s or 2m, got {Describe(node)}");
        return null;
    }

    public T? Enum<T>(string key, IReadOnlyDictionary<string, T> names)
        where T : struct
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && names.TryGetValue(text, out var value))
        {
            return value;
        }

        string hint = node is YamlScalarNode { Value: { } t } && DidYouMean.Suggest(t, names.Keys) is { } s ? $" (did you mean '{s}'?)" : "";
        Errors.Add(node, Field(key), $"expected one of {string.Join(" | ", names.Keys)}, got {Describe(node)}{hint}");
        return null;
    }

    /// <summary>The items of a sequence (empty when absent or wrong).</summary>
    public IReadOnlyList<YamlNode> Sequence(string key, bool required = false)
    {
        var node = Get(key, required);
        if (node is null)
        {
            return [];
        }

        if (node is YamlSequenceNode seq)
        {
            return seq.Children.ToList();
        }

        Errors.Add(node, Field(key), $"expected a list, got {Describe(node)}");
        return [];
    }

    public IReadOnlyList<string> StringList(string key, bool required = false)
    {
        var result = new List<string>();
        var items = Sequence(key, required);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is YamlScalarNode { Value: { Length: > 0 } v })
            {
                result.Add(v);
            }
            else
            {
                Errors.Add(items[i], $"{Field(key)}[{i}]", $"expected a text value, got {Describe(items[i])}");
            }
        }

        if (required && items.Count == 0 && Get(key) is { } present)
        {
            Errors.Add(present, Field(key), "must list at least one item");
        }

        return result;
    }

    /// <summary>Records an error for each key that no reader asked for, with the closest known key as a hint.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            string name = (k as YamlScalarNode)?.Value ?? "?";
            if (_known.Contains(name))
            {
                continue;
            }

            string? suggestion = DidYouMean.Suggest(name, _known);
            string hint = suggestion is null ? $"known keys here: {string.Join(", ", _known.Order())}" : $"did you mean '{suggestion}'?";
            Errors.Add(k, Field(name), $"unknown key; {hint}");
        }
    }

    public void Error(YamlNode node, string field, string message) => Errors.Add(node, field, message);

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || double.IsNaN(n) || double.IsInfinity(n))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value is { Length: > 0 } v ? $"'{v}'" : "an empty value",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => node.NodeType.ToString(),
    };
}

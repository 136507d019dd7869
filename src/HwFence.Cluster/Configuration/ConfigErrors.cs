using YamlDotNet.RepresentationModel;

namespace HwFence.Cluster.Configuration;

/// <summary>Collects <see cref="ConfigError"/>s for one file.</summary>
internal sealed class ConfigErrors(string file)
{
    private readonly List<ConfigError> _errors = new();
    public string File { get; } = file;
    public IReadOnlyList<ConfigError> All => _errors;
    public int Count => _errors.Count;

    public void Add(YamlNode node, string field, string message) =>
        _errors.Add(new ConfigError(File, (int)node.Start.Line, (int)node.Start.Column, field, message));

    public void Add(int line, int column, string field, string message) =>
        _errors.Add(new ConfigError(File, line, column, field, message));
}

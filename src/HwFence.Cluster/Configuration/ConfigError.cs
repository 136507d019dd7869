namespace HwFence.Cluster.Configuration;

/// <summary>
/// One problem in a configuration file: where (file, 1-based line and column), which field
/// (dotted path such as <c>applications[1].backups[0]</c>) and why.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Field, string Message)
{
    /// <summary>Compiler-style "file:line:col: field: why", so editors can jump to it.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>Thrown by the throwing edge <see cref="ClusterConfigLoader.Load"/>; carries every error found.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

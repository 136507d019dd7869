namespace HwFence.Fencing.Agent;

/// <summary>
/// One parameter the agent accepts: its stdin name (<c>name=value</c>), its command-line spellings,
/// and what <c>metadata</c> says about it. The table in <see cref="FenceAgentParameters"/> drives both
/// the parser and the metadata, so the two cannot disagree.
/// </summary>
/// <param name="Name">The stdin name and metadata name (fence-agents spell them with '_').</param>
/// <param name="ShortFlag">The one-letter flag without '-', or null.</param>
/// <param name="LongFlag">The long flag without "--" (fence-agents spell them with '-').</param>
/// <param name="IsBoolean">A flag without a value on the command line; on stdin 1/yes/on/true set it.</param>
/// <param name="Default">The default printed in metadata, or null.</param>
/// <param name="Description">The metadata shortdesc.</param>
/// <param name="Required">metadata required="1".</param>
/// <param name="AliasOf">For a deprecated alias (port → plug): the parameter it stands for.</param>
public sealed record FenceAgentParameter(
    string Name,
    char? ShortFlag,
    string LongFlag,
    bool IsBoolean,
    string? Default,
    string Description,
    bool Required = false,
    string? AliasOf = null)
{
    /// <summary>The metadata getopt text, e.g. "-o, --action=[action]".</summary>
    public string GetoptText
    {
        get
        {
            var longPart = IsBoolean ? $"--{LongFlag}" : $"--{LongFlag}=[{Name}]";
            return ShortFlag is { } s ? $"-{s}, {longPart}" : longPart;
        }
    }
}

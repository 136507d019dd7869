namespace HwFence.Cli.Demo;

/// <summary>
/// YAML added to the cluster.yaml a <see cref="DemoRig"/> writes, for multi-process tests that need
/// more than the demo's one group and one application. Each string holds complete YAML lines,
/// indented as list items of their section (two spaces, then <c>- </c>); <c>{work}</c> is replaced
/// by the rig's working directory.
/// </summary>
internal sealed record DemoRigExtras
{
    /// <summary>More resource groups (items of <c>groups:</c>).</summary>
    public string Groups { get; init; } = "";

    /// <summary>More applications (items of <c>applications:</c>).</summary>
    public string Applications { get; init; } = "";

    /// <summary>Whole top-level sections, e.g. <c>redundancy_groups:</c>.</summary>
    public string Sections { get; init; } = "";

    /// <summary>
    /// Detector timings instead of the demo's (keepalive 100 ms, warntime 300 ms, deadtime 600 ms), for tests
    /// about something else than detection speed that must not see a false Dead on a loaded machine. Null = the demo's.
    /// </summary>
    public (TimeSpan Warntime, TimeSpan Deadtime)? DetectorTimings { get; init; }
}

namespace HwFence.Cli.Hil;

/// <summary>
/// One hardware-in-the-loop scenario (hil/scenarios/*.yaml): a name, a description and the steps
/// the runner performs in order. The format is documented in hil/README.md.
/// </summary>
internal sealed record HilScenario(string Name, string Description, string SourcePath, IReadOnlyList<HilStep> Steps);

/// <summary>The verbs of a scenario step.</summary>
internal enum HilVerb
{
    /// <summary><c>wait: steady</c> — the application runs on its primary (node 1) and acknowledged records grow.</summary>
    Wait,
    /// <summary><c>kill: ROLE</c> — SIGKILL.</summary>
    Kill,
    /// <summary><c>freeze: ROLE</c> — SIGSTOP.</summary>
    Freeze,
    /// <summary><c>thaw: ROLE</c> — SIGCONT.</summary>
    Thaw,
    /// <summary><c>restart: ROLE</c> — start the (dead) node process again.</summary>
    Restart,
    /// <summary><c>cut: { path: lan|serial|disk, node: ROLE }</c>.</summary>
    Cut,
    /// <summary><c>heal: { path: lan|serial|disk, node: ROLE }</c>.</summary>
    Heal,
    /// <summary><c>hold: 3s</c> — do nothing for a while.</summary>
    Hold,
    /// <summary><c>expect: { event: E, node: ROLE?, within: 5s }</c> — E is logged since the last action, within the limit.</summary>
    Expect,
    /// <summary><c>expect-not: { event: E, node: ROLE?, during: 3s }</c> — E is not logged during the period.</summary>
    ExpectNot,
}

/// <summary>The node a step acts on, resolved when the step runs.</summary>
internal enum HilRole
{
    /// <summary>The node whose status says it runs the application now.</summary>
    Host,
    /// <summary>The node the last kill/freeze/cut acted on.</summary>
    Victim,
    /// <summary>The lowest-numbered running node that is neither the host nor the victim.</summary>
    FirstBackup,
    /// <summary>Every node (kill, freeze, thaw, restart only).</summary>
    All,
}

/// <summary>The communication path a cut/heal acts on.</summary>
internal enum HilPath
{
    Lan,
    Serial,
    Disk,
}

/// <summary>
/// One step; <see cref="Line"/> is its line in the scenario file (1-based) for messages.
/// <see cref="Event"/> is the ClusterEventKind in kebab case after alias resolution (see <see cref="HilEvents"/>).
/// </summary>
internal sealed record HilStep(int Index, int Line, HilVerb Verb)
{
    public HilRole? Role { get; init; }
    public HilPath? Path { get; init; }
    public string? Event { get; init; }
    public TimeSpan Duration { get; init; }

    private string RoleName => Role switch { HilRole.Host => "host", HilRole.Victim => "victim", HilRole.FirstBackup => "first-backup", HilRole.All => "all", _ => "" };

    public override string ToString() => Verb switch
    {
        HilVerb.Wait => "wait: steady",
        HilVerb.Hold => $"hold: {Duration.TotalSeconds:0.###}s",
        HilVerb.Cut or HilVerb.Heal => $"{Verb.ToString().ToLowerInvariant()}: {{ path: {Path.ToString()!.ToLowerInvariant()}, node: {RoleName} }}",
        HilVerb.Expect => $"expect: {Event}{(Role is null ? "" : $" on {RoleName}")} within {Duration.TotalSeconds:0.###}s",
        HilVerb.ExpectNot => $"expect-not: {Event}{(Role is null ? "" : $" on {RoleName}")} during {Duration.TotalSeconds:0.###}s",
        _ => $"{Verb.ToString().ToLowerInvariant()}: {RoleName}",
    };
}

using HwFence.Rig;

namespace HwFence.Cli.Hil;

/// <summary>What one step did: its text, whether it held, and a detail line.</summary>
internal sealed record HilStepResult(int Index, int Line, string Step, bool Ok, string Detail, double ElapsedMs);

/// <summary>One run of one scenario: the steps, then the independent checker's report.</summary>
internal sealed record HilRunResult(string Scenario, int Repetition, int Seed)
{
    public List<HilStepResult> Steps { get; } = new();
    public string? SkipReason { get; set; }
    public string? Failure { get; set; }
    public InvariantReport? Report { get; set; }
    public string? WorkDir { get; set; }

    /// <summary>failover-completed events the nodes logged in the whole run (the benchmark compares them with the failovers the rig caused).</summary>
    public int FailoverEvents => FailoverEventLines.Count;

    /// <summary>Those events as "HH:mm:ss.fff node: message", so that an unexpected one can be told apart.</summary>
    public List<string> FailoverEventLines { get; } = new();

    public bool Skipped => SkipReason is not null;

    /// <summary>Every step held and the checker found no violation (a skipped run is not a pass).</summary>
    public bool Passed => !Skipped && Failure is null && Report is { Passed: true };
}

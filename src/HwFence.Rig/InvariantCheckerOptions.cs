namespace HwFence.Rig;

/// <summary>Bounds the <see cref="InvariantChecker"/> holds the run to.</summary>
public sealed class InvariantCheckerOptions
{
    /// <summary>
    /// Invariant 4: from the rig killing or freezing the host to the application running on a
    /// backup. 1.5 s: issue 7's p99 target for the default timings (detection ≤ 820 ms with
    /// <c>DetectorOptions</c> defaults, plus fence and application start).
    /// </summary>
    public TimeSpan FailoverBound { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Slack when comparing times logged by different processes of one machine: 5 ms covers the
    /// gap between taking a timestamp and logging it, never a real overlap of two hosts.
    /// </summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Invariant 4 owes a failover only while a quorum of nodes survives: a backup may not commit
    /// itself as HOST without one (design.md, resource groups). Null = a majority of the nodes the
    /// logs name, as the emulated rig's single group (<c>quorum: majority</c>) requires;
    /// one with two nodes (the fencing disk breaks the tie).
    /// </summary>
    public int? Quorum { get; set; }

    /// <summary>The record region the application writes (records must sit at their own block).</summary>
    public RecordRegion Region { get; set; } = RecordRegion.Default;
}

namespace HwFence.Rig;

/// <summary>What the <see cref="InvariantChecker"/> found.</summary>
/// <param name="Violations">Every violation, in time order where known.</param>
/// <param name="Failovers">Every failover the rig caused, measured.</param>
/// <param name="RecordsOnDisk">Valid records in the region.</param>
/// <param name="AcknowledgedWrites">Acks across all nodes' ack logs.</param>
/// <param name="InputErrors">Malformed log lines (reported, not silently skipped).</param>
public sealed record InvariantReport(
    IReadOnlyList<InvariantViolation> Violations,
    IReadOnlyList<FailoverMeasurement> Failovers,
    int RecordsOnDisk,
    int AcknowledgedWrites,
    IReadOnlyList<string> InputErrors)
{
    /// <summary>All five invariants held and every input line was readable.</summary>
    public bool Passed => Violations.Count == 0 && InputErrors.Count == 0;

    /// <summary>True when invariant <paramref name="invariant"/> held.</summary>
    public bool Held(int invariant) => Violations.All(v => v.Invariant != invariant);

    public override string ToString() =>
        $"{(Passed ? "PASS" : "FAIL")}: {RecordsOnDisk} records on disk, {AcknowledgedWrites} acknowledged, " +
        $"{Failovers.Count} failovers, {Violations.Count} violations" +
        string.Concat(Violations.Select(v => Environment.NewLine + "  " + v)) +
        string.Concat(InputErrors.Select(e => Environment.NewLine + "  input: " + e));
}

namespace HwFence.Rig;

/// <summary>One failover as the logs show it, split the way the demo's summary prints it.</summary>
/// <param name="FailedHost">The host the rig killed or froze.</param>
/// <param name="Successor">The node that started the application next (null if none did).</param>
/// <param name="FaultAt">When the rig acted.</param>
/// <param name="Detection">Fault → the successor began fencing (null if it never fenced).</param>
/// <param name="Fence">Fence started → completed.</param>
/// <param name="Start">Fence completed (or fault, without fence) → application started.</param>
/// <param name="Total">Fault → application started on the successor.</param>
/// <param name="NotRequired">
/// Why no failover was owed (invariant 4 does not apply), e.g. too few nodes survived to form a
/// quorum; null when a failover was required.
/// </param>
public sealed record FailoverMeasurement(
    int FailedHost,
    int? Successor,
    DateTimeOffset FaultAt,
    TimeSpan? Detection,
    TimeSpan? Fence,
    TimeSpan? Start,
    TimeSpan? Total,
    string? NotRequired = null);

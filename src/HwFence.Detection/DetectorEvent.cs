using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>
/// One timestamped observation of the detector, for the cluster manager, the logs and
/// <c>hwfence status</c>. Fields that do not apply to <see cref="Kind"/> are null.
/// </summary>
/// <param name="Time">Wall-clock time (<see cref="TimeProvider.GetUtcNow"/>) — for humans and cross-node logs.</param>
/// <param name="Timestamp">Monotonic <see cref="TimeProvider.GetTimestamp"/> — for intervals on this node.</param>
/// <param name="Kind">What happened.</param>
/// <param name="PeerNodeId">The peer concerned, if any.</param>
/// <param name="Path">The path concerned, if any.</param>
/// <param name="OldPathState">Previous path state (<see cref="DetectorEventKind.PathStateChanged"/>).</param>
/// <param name="NewPathState">New path state (<see cref="DetectorEventKind.PathStateChanged"/>).</param>
/// <param name="OldVerdict">Previous verdict (<see cref="DetectorEventKind.VerdictChanged"/>).</param>
/// <param name="NewVerdict">New verdict (<see cref="DetectorEventKind.VerdictChanged"/>).</param>
/// <param name="Message">One line for an operator: what happened and why.</param>
public sealed record DetectorEvent(
    DateTimeOffset Time,
    long Timestamp,
    DetectorEventKind Kind,
    int? PeerNodeId,
    PathId? Path,
    PathState? OldPathState,
    PathState? NewPathState,
    Verdict? OldVerdict,
    Verdict? NewVerdict,
    string Message)
{
    public override string ToString() => $"{Time:HH:mm:ss.fff} {Kind} {Message}";
}

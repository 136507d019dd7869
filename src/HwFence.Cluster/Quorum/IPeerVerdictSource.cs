using HwFence.Detection;

namespace HwFence.Cluster.Quorum;

/// <summary>
/// The failure detector as the cluster manager sees it: the current verdict per peer and a
/// notification when one changes. The daemon adapts Detection's detector to it; tests use
/// <c>FakeVerdictSource</c>. Calls come from detector threads and must return quickly.
/// </summary>
public interface IPeerVerdictSource
{
    /// <summary>The detector's current verdict on <paramref name="nodeId"/> (Unknown before initdead).</summary>
    Verdict GetVerdict(int nodeId);

    /// <summary>
    /// Every path to <paramref name="nodeId"/> is Down, Dead declared or not (a node that hears no
    /// one withholds Dead, but it cannot count silent peers towards its quorum).
    /// </summary>
    bool IsSilent(int nodeId) => GetVerdict(nodeId) == Verdict.Dead;

    /// <summary>Raised with (peer node id, new verdict) whenever a verdict changes.</summary>
    event Action<int, Verdict>? VerdictChanged;
}

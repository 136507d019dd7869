using HwFence.Cluster.Configuration;
using HwFence.Detection;

namespace HwFence.Cluster.Quorum;

/// <summary>
/// Per-group quorum arithmetic (issue 6, "Resource groups and quorum"). A peer counts as present
/// when the detector hears it on some path: Alive, Suspect (not yet past deadtime) or Partitioned
/// (LAN silent, but its serial line or drive pulse beats — it is alive; the partition is an alarm,
/// and a partitioned host is never failed over, so counting it keeps a partition from stopping
/// applications on both sides). Unknown and Dead do not count.
/// </summary>
public static class GroupQuorum
{
    public static bool IsPresent(Verdict v) => v is Verdict.Alive or Verdict.Suspect or Verdict.Partitioned;

    /// <summary>Owners needed for a majority: ⌊n/2⌋ + 1.</summary>
    public static int Majority(int owners) => (owners / 2) + 1;

    /// <summary>How many of <paramref name="ownerIds"/> are present, counting <paramref name="self"/> as present when it is an owner.</summary>
    public static int PresentOwners(IReadOnlyList<int> ownerIds, int self, Func<int, Verdict> verdictOf) =>
        ownerIds.Count(o => o == self || IsPresent(verdictOf(o)));

    /// <summary>
    /// Whether the group has quorum without consulting a tie-breaker: a majority present, or for a
    /// disk-tiebreak group both owners present. Null means "ask the tie-breaker" (disk-tiebreak,
    /// peer absent).
    /// </summary>
    public static bool? Evaluate(ResourceGroupConfig group, IReadOnlyList<int> ownerIds, int self, Func<int, Verdict> verdictOf)
    {
        int present = PresentOwners(ownerIds, self, verdictOf);
        if (group.Quorum == QuorumPolicy.DiskTiebreak && ownerIds.Count == 2)
        {
            return present == 2 ? true : null;
        }

        return present >= Majority(ownerIds.Count);
    }
}

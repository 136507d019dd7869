using HwFence.Emulator.Nexus;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// A logical unit's per-I_T-nexus state (keyed by initiator port and target port, so it outlives
/// one login): pending unit attentions (SAM-5 §5.14) and the nexus's task set (SAM-5 §8.2).
/// Guarded by the logical unit's lock.
/// </summary>
internal sealed class NexusState(InitiatorPortId initiator, ushort relativeTargetPortId)
{
    private readonly List<AdditionalSense> _unitAttentions = new(4);

    public InitiatorPortId Initiator { get; } = initiator;

    public ushort RelativeTargetPortId { get; } = relativeTargetPortId;

    /// <summary>The nexus currently using this state, or null between a loss and the next login.</summary>
    public ItNexus? Current { get; set; }

    /// <summary>True once any nexus used this state (a later one then gets I_T NEXUS LOSS, not POWER ON).</summary>
    public bool SeenBefore { get; set; }

    public List<ScsiTask> Tasks { get; } = new(4);

    public bool HasUnitAttention => _unitAttentions.Count > 0;

    /// <summary>
    /// Queues a unit attention unless the same one is pending. Reset-class conditions (ASC 0x29)
    /// replace every other pending one: after a reset the initiator must rediscover everything anyway.
    /// </summary>
    public void Establish(AdditionalSense sense)
    {
        if (sense.Asc == 0x29)
        {
            _unitAttentions.RemoveAll(s => s.Asc != 0x29);
            if (_unitAttentions.Count > 0)
            {
                return; // one reset-class condition is enough
            }

            _unitAttentions.Insert(0, sense);
            return;
        }

        if (!_unitAttentions.Contains(sense))
        {
            _unitAttentions.Add(sense);
        }
    }

    /// <summary>Removes and returns the oldest pending unit attention.</summary>
    public bool TryTake(out AdditionalSense sense)
    {
        if (_unitAttentions.Count == 0)
        {
            sense = default;
            return false;
        }

        sense = _unitAttentions[0];
        _unitAttentions.RemoveAt(0);
        return true;
    }

    public bool Remove(AdditionalSense sense) => _unitAttentions.Remove(sense);

    public void ClearUnitAttentions() => _unitAttentions.Clear();
}

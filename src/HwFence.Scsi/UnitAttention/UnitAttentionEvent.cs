using HwFence.Scsi.Sense;

namespace HwFence.Scsi.UnitAttention;

/// <summary>One UNIT ATTENTION condition consumed by an initiator.</summary>
/// <param name="Device">Device address.</param>
/// <param name="Command">The command that drew the CHECK CONDITION (it was not executed, SAM-5 §5.8.7).</param>
/// <param name="Condition">ASC/ASCQ of the condition.</param>
/// <param name="Kind">Its classification.</param>
/// <param name="At">When it was seen (from the injected <see cref="TimeProvider"/>).</param>
public readonly record struct UnitAttentionEvent(string Device, string Command, AdditionalSense Condition, UnitAttentionKind Kind, DateTimeOffset At)
{
    public override string ToString() => $"device {Device}: UNIT ATTENTION {Condition} on {Command}";
}

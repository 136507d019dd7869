using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;
using HwFence.Scsi.UnitAttention;

namespace HwFence.Scsi;

/// <summary>
/// What one command returned after UNIT ATTENTION handling: the final status and sense, the bytes
/// moved, and which UA conditions were consumed on the way. A struct that references only
/// constant strings, so the Try-methods of <see cref="ScsiDevice"/> return it without allocating.
/// Callers that need to see RESERVATION CONFLICT as data (drive pulse, fencing) use it directly;
/// others call <see cref="ThrowIfNotGood"/>.
/// </summary>
/// <param name="Device">Device address.</param>
/// <param name="Command">Command name ("WRITE(10)").</param>
/// <param name="Status">Final status.</param>
/// <param name="Sense">Decoded sense for CHECK CONDITION (null when absent or undecodable).</param>
/// <param name="Transferred">Data bytes transferred (buffer length minus residual).</param>
/// <param name="UnitAttentions">Every UA kind consumed (and retried past) while executing this command.</param>
/// <param name="UnitAttentionCount">How many UA conditions were consumed.</param>
public readonly record struct ScsiOutcome(
    string Device,
    string Command,
    ScsiStatus Status,
    SenseData? Sense,
    int Transferred,
    UnitAttentionKind UnitAttentions = UnitAttentionKind.None,
    int UnitAttentionCount = 0)
{
    /// <summary>GOOD or CONDITION MET.</summary>
    public bool IsGood => Status is ScsiStatus.Good or ScsiStatus.ConditionMet;

    /// <summary>RESERVATION CONFLICT: another initiator's reservation blocks this nexus (or this node was fenced).</summary>
    public bool IsReservationConflict => Status == ScsiStatus.ReservationConflict;

    /// <summary>CHECK CONDITION with sense key <paramref name="key"/>.</summary>
    public bool Is(SenseKey key) => Status == ScsiStatus.CheckCondition && Sense?.Key == key;

    /// <summary>CHECK CONDITION with ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE or INVALID FIELD IN CDB: the device lacks the feature.</summary>
    public bool IsNotSupported => Is(SenseKey.IllegalRequest) &&
        Sense!.Value.Additional.Asc is 0x20 or 0x24;

    /// <summary>Throws <see cref="ScsiCommandException"/> unless the status is GOOD or CONDITION MET.</summary>
    public void ThrowIfNotGood()
    {
        if (!IsGood)
        {
            throw new ScsiCommandException(this);
        }
    }

    public override string ToString() =>
        $"device {Device}: {ScsiStatusNames.Name(Status)} on {Command}" + (Sense is { } s ? $": {s}" : "");
}

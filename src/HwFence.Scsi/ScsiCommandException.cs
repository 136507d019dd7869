using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;
using HwFence.Scsi.UnitAttention;

namespace HwFence.Scsi;

/// <summary>
/// A command reached the device and came back with a status other than GOOD. Carries the wire
/// codes (status, sense key, ASC/ASCQ) and says what to do:
/// "device iscsi://…/1: RESERVATION CONFLICT on WRITE(10) — another initiator holds a reservation
/// or this node's registration was preempted (this node may have been fenced)".
/// </summary>
public sealed class ScsiCommandException : IOException
{
    public ScsiCommandException(ScsiOutcome outcome)
        : base($"{outcome} — {Remedy(outcome)}")
    {
        Outcome = outcome;
    }

    public ScsiOutcome Outcome { get; }

    public string Device => Outcome.Device;

    public string Command => Outcome.Command;

    public ScsiStatus Status => Outcome.Status;

    public SenseData? Sense => Outcome.Sense;

    public SenseKey? SenseKey => Outcome.Sense?.Key;

    public byte? Asc => Outcome.Sense?.Additional.Asc;

    public byte? Ascq => Outcome.Sense?.Additional.Ascq;

    public bool IsReservationConflict => Outcome.IsReservationConflict;

    /// <summary>The operator-facing advice for an outcome.</summary>
    public static string Remedy(in ScsiOutcome o)
    {
        if (o.Status == ScsiStatus.ReservationConflict)
        {
            return (o.UnitAttentions & (UnitAttentionKind.RegistrationsPreempted | UnitAttentionKind.ReservationsPreempted)) != 0
                ? "this node's registration was preempted: it has been fenced off the disk"
                : "another initiator holds a reservation or this node's registration was preempted (this node may have been fenced); check with `hwfence scsi pr in --read-reservation`";
        }

        if (o.Status is ScsiStatus.Busy or ScsiStatus.TaskSetFull)
        {
            return "the device is overloaded; retry later";
        }

        if (o.Status == ScsiStatus.TaskAborted)
        {
            return "the command was aborted by another initiator (PREEMPT AND ABORT or task management)";
        }

        if (o.Status != ScsiStatus.CheckCondition)
        {
            return "unexpected status; check the target's log";
        }

        if (o.Sense is not { } s)
        {
            return "the device sent no decodable sense data; check the target's log";
        }

        return s.Key switch
        {
            HwFence.Scsi.Sense.SenseKey.IllegalRequest when s.Additional.Asc is 0x20 or 0x24 =>
                "the device does not implement this command or field" + (s.KeySpecific is { } k ? $" ({k})" : ""),
            HwFence.Scsi.Sense.SenseKey.IllegalRequest when s.Additional.Asc == 0x25 => "the LUN does not exist; check the address's LUN",
            HwFence.Scsi.Sense.SenseKey.IllegalRequest when s.Additional.Asc == 0x21 => "the block address lies beyond the end of the disk; check with `hwfence scsi readcap`",
            HwFence.Scsi.Sense.SenseKey.IllegalRequest => "the device rejected the request",
            HwFence.Scsi.Sense.SenseKey.UnitAttention => "unit attention conditions kept coming after all retries; the device may be resetting repeatedly",
            HwFence.Scsi.Sense.SenseKey.NotReady => "the logical unit is not ready; check the target and its backing store",
            HwFence.Scsi.Sense.SenseKey.DataProtect => "the disk is write protected",
            HwFence.Scsi.Sense.SenseKey.MediumError or HwFence.Scsi.Sense.SenseKey.HardwareError => "the disk reports a media/hardware fault; replace or repair it",
            HwFence.Scsi.Sense.SenseKey.AbortedCommand => "the command was aborted by the target; retry",
            _ => "see the sense data",
        };
    }
}

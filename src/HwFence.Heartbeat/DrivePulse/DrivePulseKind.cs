namespace HwFence.Heartbeat.DrivePulse;

/// <summary>How a node's liveness is carried by a shared disk (design.md "drive pulse"); chosen per disk.</summary>
public enum DrivePulseKind
{
    /// <summary>
    /// The classic SCSI heartbeat: the pulsing node alternates RESERVE(6)/RELEASE(6) (SPC-2 §7.21,
    /// §7.16) every interval; a watching node issues TEST UNIT READY and sees GOOD ↔ RESERVATION
    /// CONFLICT flip. Cannot share a LUN with SCSI-3 PR fencing (SPC-4 §5.13.3: a logical unit with
    /// persistent reservations rejects RESERVE(6)/RELEASE(6) with RESERVATION CONFLICT).
    /// </summary>
    ReserveToggle,

    /// <summary>
    /// The pulsing node re-registers its own key every interval, moving PRgeneration (SPC-4 §6.13.2);
    /// watchers read it with PERSISTENT RESERVE IN / READ KEYS and see it advance.
    /// </summary>
    PrGeneration,

    /// <summary>
    /// sbd-style slots: a header and one block per node in a small reserved area; every node writes
    /// counter + incarnation + timestamp into its own slot with FUA, and reads everyone else's.
    /// </summary>
    DiskSlot,
}

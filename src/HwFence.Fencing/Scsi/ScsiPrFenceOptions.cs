using HwFence.Scsi.PersistentReservations;

namespace HwFence.Fencing.Scsi;

/// <summary>Options of <see cref="ScsiPrFenceDevice"/>.</summary>
public sealed class ScsiPrFenceOptions
{
    /// <summary>
    /// Cluster name the node-id API derives keys from (<see cref="RegistrationKey.Derive"/>). Null: only
    /// the key API (<see cref="IKeyFenceDevice"/>) is usable.
    /// </summary>
    public string? ClusterName { get; set; }

    /// <summary>
    /// Reservation type held on the fencing disks. Default Write Exclusive – Registrants Only (5h), as
    /// fence_scsi: every registered node may write, an unregistered (fenced) one may not (SPC-4 §5.13.10 table 53).
    /// </summary>
    public PersistentReservationType ReservationType { get; set; } = PersistentReservationType.WriteExclusiveRegistrantsOnly;

    /// <summary>Register with APTPL (keys survive a target power loss; SPC-4 §5.13.4). Default false, as fence_scsi without -a.</summary>
    public bool Aptpl { get; set; }

    /// <summary>Per-command timeout. Default 10 s: a fence must fail rather than hang (Pacemaker's stonith-timeout defaults to 60 s).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Re-register a path on <c>NexusReplaced</c> while this node's key is still on the disk. Default true.</summary>
    public bool ReRegisterOnNexusReplaced { get; set; } = true;
}

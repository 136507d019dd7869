namespace HwFence.Hal.Scsi;

/// <summary>
/// Task management functions (SAM-5 §7) a transport can issue besides CDBs. Optional capability of an
/// <see cref="IScsiTransport"/>: test with <c>transport is IScsiTaskManagement</c>. The iSCSI initiator
/// sends them as Task Management Function Requests (RFC 7143 §11.5); the emulator's loopback transport
/// applies them to the emulated logical unit; <see cref="SgIoTransport"/> asks the Linux mid-level to
/// send them with ioctl(SG_SCSI_RESET).
/// </summary>
/// <remarks>
/// Both resets abort every task on the logical unit(s) — the other initiators' outstanding commands
/// included — release SPC-2 RESERVE(6) reservations (SPC-2 §5.5.1), keep SCSI-3 persistent
/// reservations (SPC-4 §5.13.1) and establish a UNIT ATTENTION for every I_T nexus: 29h/03h BUS DEVICE
/// RESET FUNCTION OCCURRED after LOGICAL UNIT RESET, 29h/00h (or 29h/02h) after a target reset
/// (SAM-5 §6.3.2 / §7.7 / §7.9).
/// </remarks>
public interface IScsiTaskManagement
{
    /// <summary>
    /// LOGICAL UNIT RESET (SAM-5 §7.7) of this transport's logical unit. Returns when the target reported
    /// FUNCTION COMPLETE; throws <see cref="ScsiTransportException"/> otherwise (NotSupported when the
    /// target rejects or does not support the function, ConnectionLost, Timeout…).
    /// </summary>
    Task LogicalUnitResetAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// TARGET RESET (SAM-5 §7.9; iSCSI TARGET WARM RESET, RFC 7143 §11.5.1): resets every logical unit of
    /// the target. Same completion and error contract as <see cref="LogicalUnitResetAsync"/>.
    /// </summary>
    Task TargetResetAsync(CancellationToken cancellationToken = default);
}

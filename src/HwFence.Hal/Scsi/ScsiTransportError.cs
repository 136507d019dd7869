namespace HwFence.Hal.Scsi;

/// <summary>Why a CDB could not be executed at all.</summary>
public enum ScsiTransportError
{
    /// <summary>The native SG_IO shim (libhwfence_native.so) was not built or cannot be loaded.</summary>
    ShimMissing,
    /// <summary>The device node or target does not exist.</summary>
    DeviceMissing,
    /// <summary>EACCES/EPERM: SG_IO needs root or CAP_SYS_RAWIO; iSCSI login was refused.</summary>
    PermissionDenied,
    /// <summary>ENOTTY/EINVAL on SG_IO: the file is not a SCSI generic-capable device.</summary>
    NotScsiDevice,
    /// <summary>The command did not complete within its timeout.</summary>
    Timeout,
    /// <summary>The host adapter reported an error (sg_io_hdr host_status, SRB status).</summary>
    HostStatus,
    /// <summary>The driver reported an error (sg_io_hdr driver_status).</summary>
    DriverStatus,
    /// <summary>The connection to the target was lost and the command's outcome is unknown.</summary>
    ConnectionLost,
    /// <summary>The target violated the transport protocol.</summary>
    Protocol,
    /// <summary>The transport is not available on this operating system.</summary>
    NotSupported,
    /// <summary>The command was aborted (task management, PREEMPT AND ABORT, cancellation).</summary>
    Aborted,
    /// <summary>Any other operating-system error (see the inner exception / errno).</summary>
    Other,
}

namespace HwFence.Hal.Scsi;

/// <summary>
/// Decodes what sg_io_hdr reported for a completed SG_IO (the ioctl returned 0) the way sg3_utils'
/// sg_err_category3 does: host_status first (DID_*, include/scsi/scsi.h), then driver_status
/// (DRIVER_* in the low nibble, SUGGEST_* in the high one), then the SAM status byte. Non-throwing:
/// <see cref="TryGetResult"/> returns false with the transport error and a message naming the code.
/// </summary>
internal static class SgIoCompletion
{
    // host_status (DID_*).
    internal const int DidOk = 0x00;
    internal const int DidTimeOut = 0x03;
    internal const int DidAbort = 0x05;
    internal const int DidNexusFailure = 0x11;

    // driver_status & 0x0f (DRIVER_*).
    internal const int DriverMask = 0x0f;
    internal const int DriverOk = 0x00;
    internal const int DriverTimeout = 0x06;
    internal const int DriverSense = 0x08;

    private static readonly string[] s_hostNames =
    [
        "DID_OK", "DID_NO_CONNECT", "DID_BUS_BUSY", "DID_TIME_OUT", "DID_BAD_TARGET", "DID_ABORT",
        "DID_PARITY", "DID_ERROR", "DID_RESET", "DID_BAD_INTR", "DID_PASSTHROUGH", "DID_SOFT_ERROR",
        "DID_IMM_RETRY", "DID_REQUEUE", "DID_TRANSPORT_DISRUPTED", "DID_TRANSPORT_FAILFAST",
        "DID_TARGET_FAILURE", "DID_NEXUS_FAILURE", "DID_ALLOC_FAILURE", "DID_MEDIUM_ERROR",
        "DID_TRANSPORT_MARGINAL",
    ];

    private static readonly string[] s_driverNames =
    [
        "DRIVER_OK", "DRIVER_BUSY", "DRIVER_SOFT", "DRIVER_MEDIA", "DRIVER_ERROR", "DRIVER_INVALID",
        "DRIVER_TIMEOUT", "DRIVER_HARD", "DRIVER_SENSE",
    ];

    private static readonly string[] s_suggestNames =
    [
        "", "SUGGEST_RETRY", "SUGGEST_ABORT", "SUGGEST_REMAP", "SUGGEST_DIE", "", "", "", "SUGGEST_SENSE",
    ];

    /// <summary>"DID_NO_CONNECT (0x01)".</summary>
    internal static string HostStatusName(int hostStatus) =>
        hostStatus >= 0 && hostStatus < s_hostNames.Length
            ? $"{s_hostNames[hostStatus]} (0x{hostStatus:x2})"
            : $"host status 0x{hostStatus:x2}";

    /// <summary>"DRIVER_HARD|SUGGEST_ABORT (0x27)".</summary>
    internal static string DriverStatusName(int driverStatus)
    {
        int driver = driverStatus & DriverMask;
        int suggest = (driverStatus >> 4) & 0x0f;
        string name = driver < s_driverNames.Length ? s_driverNames[driver] : $"DRIVER_0x{driver:x}";
        if (suggest != 0)
        {
            name += "|" + (suggest < s_suggestNames.Length && s_suggestNames[suggest].Length > 0 ? s_suggestNames[suggest] : $"SUGGEST_0x{suggest:x}");
        }

        return $"{name} (0x{driverStatus:x2})";
    }

    /// <summary>
    /// The result for the caller, or false with why no SCSI status came back. The status byte wins
    /// whenever the device produced one: older kernels report RESERVATION CONFLICT with host byte
    /// DID_NEXUS_FAILURE, and a fenced node must see the conflict, not a transport error.
    /// </summary>
    internal static bool TryGetResult(
        in Interop.HwFenceNative.SgIoResult raw,
        int senseCapacity,
        out ScsiCommandResult result,
        out ScsiTransportError error,
        out string? message)
    {
        result = default;
        error = default;
        message = null;

        int status = raw.Status & 0xff;
        int host = raw.HostStatus;
        int driver = raw.DriverStatus & DriverMask;

        bool conflictViaNexus = host == DidNexusFailure && status == (int)ScsiStatus.ReservationConflict;
        if (host != DidOk && !conflictViaNexus)
        {
            error = host switch
            {
                DidTimeOut => ScsiTransportError.Timeout,
                DidAbort => ScsiTransportError.Aborted,
                _ => ScsiTransportError.HostStatus,
            };
            message = error == ScsiTransportError.Timeout
                ? $"the command timed out after {raw.DurationMs} ms ({HostStatusName(host)}); the device or path is hung — check dmesg and the cabling"
                : $"the host adapter reported {HostStatusName(host)} after {raw.DurationMs} ms; no SCSI status came back (check dmesg, the HBA and the cabling)";
            return false;
        }

        if (driver == DriverTimeout)
        {
            error = ScsiTransportError.Timeout;
            message = $"the command timed out after {raw.DurationMs} ms ({DriverStatusName(raw.DriverStatus)})";
            return false;
        }

        if (driver != DriverOk && driver != DriverSense)
        {
            error = ScsiTransportError.DriverStatus;
            message = $"the SCSI mid-level driver reported {DriverStatusName(raw.DriverStatus)}; no reliable SCSI status came back (check dmesg)";
            return false;
        }

        int senseLength = Math.Clamp(raw.SenseLength, 0, senseCapacity);
        result = new ScsiCommandResult((ScsiStatus)status, senseLength, Math.Max(0, raw.Residual));
        return true;
    }
}

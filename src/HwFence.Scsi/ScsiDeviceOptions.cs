namespace HwFence.Scsi;

/// <summary>Settings of a <see cref="ScsiDevice"/>. Check with <see cref="ScsiDeviceOptionsValidator"/>.</summary>
public sealed class ScsiDeviceOptions
{
    /// <summary>
    /// Timeout of a command when the caller gives none. Default 30 s: the Linux sd driver's
    /// SD_TIMEOUT. Heartbeat paths pass their own, much shorter, timeouts.
    /// </summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many UNIT ATTENTION conditions one command may consume before its CHECK CONDITION is
    /// returned to the caller. Default 8: after a target reset an initiator can see POWER ON,
    /// I_T NEXUS LOSS, REPORTED LUNS DATA CHANGED and reservation UAs queued together; the Linux
    /// SCSI midlayer retries a command 5 times, and 8 covers every distinct condition SPC-4 §5.14
    /// can queue for one nexus. 0 reports every UA to the caller.
    /// </summary>
    public int UnitAttentionRetries { get; set; } = 8;

    /// <summary>Clock for UA timestamps. Default: <see cref="TimeProvider.System"/>; tests inject a fake.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

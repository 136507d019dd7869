using HwFence.Scsi.Iscsi;

namespace HwFence.Scsi.Addressing;

/// <summary>What a transport needs beyond its address when it is opened.</summary>
public sealed record ScsiTransportOpenOptions
{
    /// <summary>
    /// iSCSI initiator name (the identity reservations belong to). Null: the initiator's default
    /// (iqn.2026-01.org.hwfence:&lt;host name&gt;). Ignored by SG_IO/SPTI, whose identity is the HBA port.
    /// </summary>
    public string? InitiatorName { get; init; }

    /// <summary>iSCSI ISID; null derives it from the initiator name (stable across restarts).</summary>
    public ulong? Isid { get; init; }

    /// <summary>
    /// Base settings for iscsi:// addresses (CHAP, digests, burst lengths); null uses the initiator's
    /// defaults. <see cref="InitiatorName"/>, <see cref="Isid"/> and <see cref="TimeProvider"/> override its fields.
    /// </summary>
    public IscsiInitiatorOptions? Iscsi { get; init; }

    /// <summary>Clock for transports with timers (iSCSI NOP/login timeouts).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

namespace HwFence.Emulator.Nexus;

/// <summary>
/// A SCSI initiator port as iSCSI names it: the initiator's iSCSI name plus the ISID of the
/// session (RFC 7143 §4.2.7.1, SAM-5 §4.6.4). Reservations belong to this identity, so two
/// sessions from the same node with different ISIDs are two initiator ports.
/// </summary>
/// <param name="Name">iSCSI initiator name, e.g. <c>iqn.2026-01.org.hwfence:node1</c>.</param>
/// <param name="Isid">48-bit ISID (upper 16 bits of the ulong are zero).</param>
public sealed record InitiatorPortId(string Name, ulong Isid)
{
    /// <summary>The SCSI initiator port name "iqn…,i,0x&lt;isid&gt;" (RFC 7143 §4.2.7.1).</summary>
    public string PortName { get; } = $"{Name},i,0x{Isid & 0xFFFF_FFFF_FFFFUL:x12}";

    public override string ToString() => PortName;
}

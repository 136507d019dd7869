namespace HwFence.Emulator.Nexus;

/// <summary>
/// A SCSI target port: the target name plus the target portal group tag (RFC 7143 §4.2.7.1),
/// with its RELATIVE TARGET PORT IDENTIFIER (SPC-4 §7.8.6.7) used in READ FULL STATUS and VPD 0x83.
/// </summary>
/// <param name="TargetName">iSCSI target name (or the emulated disk's name for in-process ports).</param>
/// <param name="RelativeId">Relative target port identifier, 1-based and unique per target.</param>
public sealed record TargetPortId(string TargetName, ushort RelativeId)
{
    /// <summary>"iqn…,t,0x&lt;tpgt&gt;": the SCSI target port name; the TPGT equals the relative id here.</summary>
    public string PortName { get; } = $"{TargetName},t,0x{RelativeId:x4}";

    public override string ToString() => PortName;
}

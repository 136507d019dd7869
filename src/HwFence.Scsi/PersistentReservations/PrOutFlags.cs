namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// Bits of byte 20 of the PERSISTENT RESERVE OUT parameter list (SPC-4 §6.14.3 table 174).
/// </summary>
[Flags]
public enum PrOutFlags : byte
{
    None = 0,
    /// <summary>APTPL: activate persist through power loss (registrations survive a power cycle).</summary>
    Aptpl = 0x01,
    /// <summary>ALL_TG_PT: register the key through every target port of the device.</summary>
    AllTgPt = 0x04,
    /// <summary>SPEC_I_PT: the list carries TransportIDs of other initiator ports to register too (REGISTER only).</summary>
    SpecIPt = 0x08,
}

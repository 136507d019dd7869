namespace HwFence.Scsi.PersistentReservations;

/// <summary>Persistent reservation TYPE field (SPC-4 §6.15.2 table 191).</summary>
public enum PersistentReservationType : byte
{
    WriteExclusive = 0x1,
    ExclusiveAccess = 0x3,
    WriteExclusiveRegistrantsOnly = 0x5,
    ExclusiveAccessRegistrantsOnly = 0x6,
    WriteExclusiveAllRegistrants = 0x7,
    ExclusiveAccessAllRegistrants = 0x8,
}

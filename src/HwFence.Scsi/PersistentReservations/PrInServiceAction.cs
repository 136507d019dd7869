namespace HwFence.Scsi.PersistentReservations;

/// <summary>PERSISTENT RESERVE IN service actions (SPC-4 §6.15.1 table 190).</summary>
public enum PrInServiceAction : byte
{
    ReadKeys = 0x00,
    ReadReservation = 0x01,
    ReportCapabilities = 0x02,
    ReadFullStatus = 0x03,
}

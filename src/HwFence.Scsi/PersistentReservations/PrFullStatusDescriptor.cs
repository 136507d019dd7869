namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// One registration in READ FULL STATUS data (SPC-4 §6.13.5 table 174): which initiator port holds
/// which key through which target port, and whether it holds the reservation.
/// </summary>
public sealed record PrFullStatusDescriptor(
    ulong Key,
    bool AllTargetPorts,
    bool ReservationHolder,
    byte Scope,
    PersistentReservationType Type,
    ushort RelativeTargetPortId,
    TransportId TransportId);

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// How a command behaves while another I_T nexus holds a reservation: the rows of SPC-4 table 62
/// ("SPC commands that are allowed in the presence of various reservations") and SBC-3 table 13.
/// </summary>
internal enum ReservationAccess
{
    /// <summary>Allowed under every reservation type (INQUIRY, REPORT LUNS, REQUEST SENSE, PR IN, TEST UNIT READY, READ CAPACITY).</summary>
    Allowed,
    /// <summary>
    /// Allowed under Write Exclusive types; under Exclusive Access types only for registrants of a
    /// registrants-only / all-registrants reservation (READ, VERIFY, MODE SENSE, REPORT SUPPORTED OPERATION CODES).
    /// </summary>
    Read,
    /// <summary>Conflicts except for registrants of a registrants-only / all-registrants reservation (WRITE, SYNCHRONIZE CACHE).</summary>
    Write,
    /// <summary>PERSISTENT RESERVE OUT: the service action's own rules decide (SPC-4 table 63).</summary>
    PersistentReserveOut,
    /// <summary>RESERVE/RELEASE(6/10): conflict whenever persistent registrations exist (CRH=0, SPC-4 §5.13.3).</summary>
    Spc2,
}

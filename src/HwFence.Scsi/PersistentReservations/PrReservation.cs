namespace HwFence.Scsi.PersistentReservations;

/// <summary>The persistent reservation a logical unit holds: holder's key, type and scope (SPC-4 §5.13.1).</summary>
/// <param name="Key">RESERVATION KEY of the holder (for all-registrants types: 0).</param>
/// <param name="Type">TYPE.</param>
/// <param name="Scope">SCOPE (0 = LU_SCOPE; others are obsolete).</param>
public readonly record struct PrReservation(ulong Key, PersistentReservationType Type, byte Scope = 0)
{
    public override string ToString() =>
        $"key 0x{Key:X16}, type {(byte)Type} ({PersistentReservationTypeNames.Name(Type)}), scope {(Scope == 0 ? "LU_SCOPE" : $"0x{Scope:X}")}";
}

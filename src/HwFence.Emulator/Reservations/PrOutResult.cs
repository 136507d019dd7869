namespace HwFence.Emulator.Reservations;

/// <summary>How a PERSISTENT RESERVE OUT service action ended, before it is turned into status and sense.</summary>
public enum PrOutStatus
{
    Good,
    /// <summary>RESERVATION CONFLICT status (SPC-4 §5.13.x: key mismatch, not registered, held by another).</summary>
    ReservationConflict,
    /// <summary>ILLEGAL REQUEST, INVALID FIELD IN CDB with a field pointer.</summary>
    InvalidFieldInCdb,
    /// <summary>ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST with a field pointer.</summary>
    InvalidFieldInParameterList,
    /// <summary>ILLEGAL REQUEST, INVALID RELEASE OF PERSISTENT RESERVATION (SPC-4 §5.13.11.2.2).</summary>
    InvalidRelease,
    /// <summary>ILLEGAL REQUEST, PARAMETER LIST LENGTH ERROR.</summary>
    ParameterListLengthError,
    /// <summary>ILLEGAL REQUEST, INSUFFICIENT REGISTRATION RESOURCES (SPC-4 §5.13.7).</summary>
    InsufficientRegistrationResources,
}

/// <summary>Outcome of a PR OUT service action with the field pointer for ILLEGAL REQUEST outcomes.</summary>
public readonly record struct PrOutResult(PrOutStatus Status, ushort FieldPointer = 0, byte? BitPointer = null)
{
    public static readonly PrOutResult Good = new(PrOutStatus.Good);
    public static readonly PrOutResult Conflict = new(PrOutStatus.ReservationConflict);

    public static PrOutResult BadCdb(ushort field, byte? bit = null) => new(PrOutStatus.InvalidFieldInCdb, field, bit);

    public static PrOutResult BadParameter(ushort field, byte? bit = null) => new(PrOutStatus.InvalidFieldInParameterList, field, bit);
}

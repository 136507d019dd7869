namespace HwFence.Scsi.Sense;

/// <summary>
/// ADDITIONAL SENSE CODE and QUALIFIER pair (SPC-4 §4.5.6, Annex D table D.1), with the names
/// HwFence prints. Only the codes a shared-disk cluster meets are named; others print as hex.
/// </summary>
public readonly record struct AdditionalSense(byte Asc, byte Ascq)
{
    public static readonly AdditionalSense None = new(0x00, 0x00);
    public static readonly AdditionalSense LogicalUnitNotReadyCauseNotReportable = new(0x04, 0x00);
    public static readonly AdditionalSense LogicalUnitNotReadyBecomingReady = new(0x04, 0x01);
    public static readonly AdditionalSense LogicalUnitNotReadyManualIntervention = new(0x04, 0x03);
    public static readonly AdditionalSense LogicalUnitCommunicationFailure = new(0x08, 0x00);
    public static readonly AdditionalSense WriteError = new(0x0C, 0x00);
    public static readonly AdditionalSense UnrecoveredReadError = new(0x11, 0x00);
    public static readonly AdditionalSense ParameterListLengthError = new(0x1A, 0x00);
    public static readonly AdditionalSense InvalidCommandOperationCode = new(0x20, 0x00);
    public static readonly AdditionalSense LbaOutOfRange = new(0x21, 0x00);
    public static readonly AdditionalSense InvalidFieldInCdb = new(0x24, 0x00);
    public static readonly AdditionalSense LogicalUnitNotSupported = new(0x25, 0x00);
    public static readonly AdditionalSense InvalidFieldInParameterList = new(0x26, 0x00);
    public static readonly AdditionalSense InvalidReleaseOfPersistentReservation = new(0x26, 0x04);
    public static readonly AdditionalSense WriteProtected = new(0x27, 0x00);
    public static readonly AdditionalSense NotReadyToReadyChange = new(0x28, 0x00);
    public static readonly AdditionalSense PowerOnResetOrBusDeviceResetOccurred = new(0x29, 0x00);
    public static readonly AdditionalSense PowerOnOccurred = new(0x29, 0x01);
    public static readonly AdditionalSense ScsiBusResetOccurred = new(0x29, 0x02);
    public static readonly AdditionalSense BusDeviceResetFunctionOccurred = new(0x29, 0x03);
    public static readonly AdditionalSense DeviceInternalReset = new(0x29, 0x04);
    public static readonly AdditionalSense ITNexusLossOccurred = new(0x29, 0x07);
    public static readonly AdditionalSense ParametersChanged = new(0x2A, 0x00);
    public static readonly AdditionalSense ModeParametersChanged = new(0x2A, 0x01);
    public static readonly AdditionalSense ReservationsPreempted = new(0x2A, 0x03);
    public static readonly AdditionalSense ReservationsReleased = new(0x2A, 0x04);
    public static readonly AdditionalSense RegistrationsPreempted = new(0x2A, 0x05);
    public static readonly AdditionalSense CommandsClearedByAnotherInitiator = new(0x2F, 0x00);
    public static readonly AdditionalSense SavingParametersNotSupported = new(0x39, 0x00);
    public static readonly AdditionalSense MediumNotPresent = new(0x3A, 0x00);
    public static readonly AdditionalSense ReportedLunsDataChanged = new(0x3F, 0x0E);
    public static readonly AdditionalSense InternalTargetFailure = new(0x44, 0x00);
    public static readonly AdditionalSense InvalidMessageError = new(0x49, 0x00);
    public static readonly AdditionalSense CommandPhaseError = new(0x4A, 0x00);
    public static readonly AdditionalSense DataPhaseError = new(0x4B, 0x00);
    public static readonly AdditionalSense OverlappedCommandsAttempted = new(0x4E, 0x00);
    public static readonly AdditionalSense InsufficientRegistrationResources = new(0x55, 0x04);
    public static readonly AdditionalSense LogicalUnitFailure = new(0x3E, 0x01);

    private static readonly Dictionary<AdditionalSense, string> Names = new()
    {
        [None] = "NO ADDITIONAL SENSE INFORMATION",
        [LogicalUnitNotReadyCauseNotReportable] = "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE",
        [LogicalUnitNotReadyBecomingReady] = "LOGICAL UNIT IS IN PROCESS OF BECOMING READY",
        [LogicalUnitNotReadyManualIntervention] = "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED",
        [LogicalUnitCommunicationFailure] = "LOGICAL UNIT COMMUNICATION FAILURE",
        [WriteError] = "WRITE ERROR",
        [UnrecoveredReadError] = "UNRECOVERED READ ERROR",
        [ParameterListLengthError] = "PARAMETER LIST LENGTH ERROR",
        [InvalidCommandOperationCode] = "INVALID COMMAND OPERATION CODE",
        [LbaOutOfRange] = "LOGICAL BLOCK ADDRESS OUT OF RANGE",
        [InvalidFieldInCdb] = "INVALID FIELD IN CDB",
        [LogicalUnitNotSupported] = "LOGICAL UNIT NOT SUPPORTED",
        [InvalidFieldInParameterList] = "INVALID FIELD IN PARAMETER LIST",
        [InvalidReleaseOfPersistentReservation] = "INVALID RELEASE OF PERSISTENT RESERVATION",
        [WriteProtected] = "WRITE PROTECTED",
        [NotReadyToReadyChange] = "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED",
        [PowerOnResetOrBusDeviceResetOccurred] = "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED",
        [PowerOnOccurred] = "POWER ON OCCURRED",
        [ScsiBusResetOccurred] = "SCSI BUS RESET OCCURRED",
        [BusDeviceResetFunctionOccurred] = "BUS DEVICE RESET FUNCTION OCCURRED",
        [DeviceInternalReset] = "DEVICE INTERNAL RESET",
        [ITNexusLossOccurred] = "I_T NEXUS LOSS OCCURRED",
        [ParametersChanged] = "PARAMETERS CHANGED",
        [ModeParametersChanged] = "MODE PARAMETERS CHANGED",
        [ReservationsPreempted] = "RESERVATIONS PREEMPTED",
        [ReservationsReleased] = "RESERVATIONS RELEASED",
        [RegistrationsPreempted] = "REGISTRATIONS PREEMPTED",
        [CommandsClearedByAnotherInitiator] = "COMMANDS CLEARED BY ANOTHER INITIATOR",
        [SavingParametersNotSupported] = "SAVING PARAMETERS NOT SUPPORTED",
        [MediumNotPresent] = "MEDIUM NOT PRESENT",
        [ReportedLunsDataChanged] = "REPORTED LUNS DATA HAS CHANGED",
        [InternalTargetFailure] = "INTERNAL TARGET FAILURE",
        [InvalidMessageError] = "INVALID MESSAGE ERROR",
        [CommandPhaseError] = "COMMAND PHASE ERROR",
        [DataPhaseError] = "DATA PHASE ERROR",
        [OverlappedCommandsAttempted] = "OVERLAPPED COMMANDS ATTEMPTED",
        [InsufficientRegistrationResources] = "INSUFFICIENT REGISTRATION RESOURCES",
        [LogicalUnitFailure] = "LOGICAL UNIT FAILURE",
    };

    /// <summary>The T10 name, or "ASC 0xNN ASCQ 0xNN" for codes not in the table.</summary>
    public string Name => Names.TryGetValue(this, out var n) ? n : $"ASC 0x{Asc:X2} ASCQ 0x{Ascq:X2}";

    public override string ToString() => $"{Name} ({Asc:X2}/{Ascq:X2})";
}

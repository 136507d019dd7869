using HwFence.Scsi.Sense;

namespace HwFence.Scsi.UnitAttention;

/// <summary>
/// What a UNIT ATTENTION condition announced, grouped by what an HA initiator must do about it
/// (SPC-4 §5.14 lists which events establish UAs for which I_T nexuses). A flags enum, so one
/// command's outcome can say "saw POWER ON and then REGISTRATIONS PREEMPTED" without allocating.
/// </summary>
[Flags]
public enum UnitAttentionKind
{
    None = 0,
    /// <summary>29h/00h-06h: power on, reset, bus/target reset. SPC-2 reservations are gone (SPC-2 §5.5.1).</summary>
    PowerOnOrReset = 1 << 0,
    /// <summary>29h/07h: I_T NEXUS LOSS OCCURRED — this initiator's nexus was re-created.</summary>
    NexusLoss = 1 << 1,
    /// <summary>2Ah/03h: another initiator preempted the reservation (SPC-4 §5.13.11.2.4).</summary>
    ReservationsPreempted = 1 << 2,
    /// <summary>2Ah/04h: the reservation holder released or cleared a reservation this nexus shared.</summary>
    ReservationsReleased = 1 << 3,
    /// <summary>2Ah/05h: this initiator's registration was removed by PREEMPT or CLEAR — it has been fenced.</summary>
    RegistrationsPreempted = 1 << 4,
    /// <summary>2Ah/other: mode or other parameters changed.</summary>
    ParametersChanged = 1 << 5,
    /// <summary>28h: not ready to ready change, medium may have changed.</summary>
    MediumChanged = 1 << 6,
    /// <summary>3Fh/0Eh: REPORTED LUNS DATA HAS CHANGED; 3Fh/other: target operating conditions changed.</summary>
    TargetConditionsChanged = 1 << 7,
    /// <summary>2Fh: COMMANDS CLEARED BY ANOTHER INITIATOR (PREEMPT AND ABORT, CLEAR TASK SET).</summary>
    CommandsCleared = 1 << 8,
    /// <summary>Any other additional sense code with sense key UNIT ATTENTION.</summary>
    Other = 1 << 9,
}

/// <summary>Maps an additional sense code reported with UNIT ATTENTION to its <see cref="UnitAttentionKind"/>.</summary>
public static class UnitAttentionClassifier
{
    /// <summary>Kinds after which reservation or registration state may differ from what this node believes.</summary>
    public const UnitAttentionKind ReservationStateChanged =
        UnitAttentionKind.PowerOnOrReset | UnitAttentionKind.NexusLoss | UnitAttentionKind.ReservationsPreempted |
        UnitAttentionKind.ReservationsReleased | UnitAttentionKind.RegistrationsPreempted | UnitAttentionKind.CommandsCleared;

    public static UnitAttentionKind Classify(AdditionalSense sense) => sense.Asc switch
    {
        0x29 when sense.Ascq == 0x07 => UnitAttentionKind.NexusLoss,
        0x29 => UnitAttentionKind.PowerOnOrReset,
        0x2A when sense.Ascq == 0x03 => UnitAttentionKind.ReservationsPreempted,
        0x2A when sense.Ascq == 0x04 => UnitAttentionKind.ReservationsReleased,
        0x2A when sense.Ascq == 0x05 => UnitAttentionKind.RegistrationsPreempted,
        0x2A => UnitAttentionKind.ParametersChanged,
        0x28 => UnitAttentionKind.MediumChanged,
        0x3F => UnitAttentionKind.TargetConditionsChanged,
        0x2F => UnitAttentionKind.CommandsCleared,
        _ => UnitAttentionKind.Other,
    };
}

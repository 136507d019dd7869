using HwFence.Emulator.Nexus;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Reservations;

/// <summary>
/// What <see cref="PersistentReservationState"/> asks its logical unit to do as a side effect of a
/// service action: unit attentions for other registrants, aborting preempted nexuses' tasks.
/// </summary>
public interface IReservationEvents
{
    /// <summary>
    /// Establish a unit attention for every I_T nexus <paramref name="registration"/> covers, except
    /// <paramref name="except"/> (the nexus that caused it).
    /// </summary>
    void UnitAttention(Registration registration, ItNexus? except, AdditionalSense sense);

    /// <summary>PREEMPT AND ABORT: abort every task of every I_T nexus the removed registration covered.</summary>
    void AbortTasks(Registration preempted, ItNexus except);
}

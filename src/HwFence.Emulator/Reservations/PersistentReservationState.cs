using HwFence.Emulator.Nexus;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Reservations;

/// <summary>
/// The persistent reservation state of one logical unit (SPC-4 §5.13): registrations, the
/// reservation and its holder, PRgeneration and APTPL, with the PERSISTENT RESERVE OUT service
/// actions as state transitions. Not thread-safe: the logical unit calls it under its lock, which
/// is what makes every reservation decision linearizable.
/// </summary>
public sealed class PersistentReservationState
{
    /// <summary>Registrations this device server holds at most (reported as INSUFFICIENT REGISTRATION RESOURCES beyond).</summary>
    public const int MaxRegistrations = 256;

    private readonly List<Registration> _registrations = new();

    /// <summary>PRgeneration (SPC-4 §6.15.2): bumped by REGISTER*, CLEAR, PREEMPT*; wraps at 2^32.</summary>
    public uint Generation { get; private set; }

    /// <summary>APTPL as set by the most recent successful REGISTER / REGISTER AND IGNORE EXISTING KEY.</summary>
    public bool Aptpl { get; private set; }

    public IReadOnlyList<Registration> Registrations => _registrations;

    /// <summary>The registration that holds the reservation (for all-registrants types: the one that created it); null when none.</summary>
    public Registration? Holder { get; private set; }

    public PersistentReservationType Type { get; private set; }

    /// <summary>SCOPE: always 0 (LU_SCOPE), the only scope SPC-4 still defines.</summary>
    public byte Scope { get; private set; }

    public bool IsReserved => Holder is not null;

    public static bool IsAllRegistrants(PersistentReservationType t) =>
        t is PersistentReservationType.WriteExclusiveAllRegistrants or PersistentReservationType.ExclusiveAccessAllRegistrants;

    public static bool IsRegistrantsOnly(PersistentReservationType t) =>
        t is PersistentReservationType.WriteExclusiveRegistrantsOnly or PersistentReservationType.ExclusiveAccessRegistrantsOnly;

    /// <summary>The registration covering <paramref name="nexus"/>, or null.</summary>
    public Registration? Find(ItNexus nexus)
    {
        foreach (var r in _registrations)
        {
            if (r.Covers(nexus))
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>Reservation holder per SPC-4 §5.13.10: every registrant for all-registrants types, else the one holder.</summary>
    public bool IsHolder(ItNexus nexus)
    {
        if (Holder is null)
        {
            return false;
        }

        return IsAllRegistrants(Type) ? Find(nexus) is not null : Holder.Covers(nexus);
    }

    /// <summary>Replaces the whole state (APTPL restore after power on).</summary>
    internal void Restore(uint generation, IEnumerable<Registration> registrations, int holderIndex, PersistentReservationType type)
    {
        _registrations.Clear();
        _registrations.AddRange(registrations);
        Generation = generation;
        Aptpl = true;
        Holder = holderIndex >= 0 && holderIndex < _registrations.Count ? _registrations[holderIndex] : null;
        Type = Holder is null ? 0 : type;
        Scope = 0;
    }

    /// <summary>Power loss without APTPL: everything goes (SPC-4 §5.13.5).</summary>
    internal void ClearAll()
    {
        _registrations.Clear();
        Holder = null;
        Type = 0;
        Aptpl = false;
    }

    /// <summary>
    /// Executes one PERSISTENT RESERVE OUT service action (SPC-4 §5.13.11, §6.16). The CDB fields
    /// and the parsed parameter list are already validated for length by the caller.
    /// </summary>
    public PrOutResult Execute(ItNexus nexus, PrOutServiceAction action, byte scope, PersistentReservationType type,
        in PrOutParameterList parameters, IReservationEvents events)
    {
        bool specIpt = (parameters.Flags & PrOutFlags.SpecIPt) != 0;
        if (specIpt && action != PrOutServiceAction.Register)
        {
            // SPC-4 §6.16.3: SPEC_I_PT is only valid with REGISTER.
            return PrOutResult.BadParameter(20, 3);
        }

        return action switch
        {
            PrOutServiceAction.Register => Register(nexus, parameters, ignoreExistingKey: false, events),
            PrOutServiceAction.RegisterAndIgnoreExistingKey => Register(nexus, parameters, ignoreExistingKey: true, events),
            PrOutServiceAction.Reserve => Reserve(nexus, scope, type, parameters.ReservationKey),
            PrOutServiceAction.Release => Release(nexus, scope, type, parameters.ReservationKey, events),
            PrOutServiceAction.Clear => Clear(nexus, parameters.ReservationKey, events),
            PrOutServiceAction.Preempt => Preempt(nexus, scope, type, parameters, abort: false, events),
            PrOutServiceAction.PreemptAndAbort => Preempt(nexus, scope, type, parameters, abort: true, events),
            // REGISTER AND MOVE and REPLACE LOST RESERVATION are not supported: SERVICE ACTION field.
            _ => PrOutResult.BadCdb(1, 4),
        };
    }

    /// <summary>REGISTER / REGISTER AND IGNORE EXISTING KEY (SPC-4 §5.13.7, §5.13.11.2.1).</summary>
    private PrOutResult Register(ItNexus nexus, in PrOutParameterList p, bool ignoreExistingKey, IReservationEvents events)
    {
        var existing = Find(nexus);
        if ((p.Flags & PrOutFlags.SpecIPt) != 0)
        {
            // SIP_C is 0 in REPORT CAPABILITIES: SPEC_I_PT is not supported (SPC-4 §6.16.3).
            return PrOutResult.BadParameter(20, 3);
        }

        if (existing is null)
        {
            if (!ignoreExistingKey && p.ReservationKey != 0)
            {
                return PrOutResult.Conflict; // unregistered nexus naming a key (SPC-4 §5.13.7 table 51)
            }

            if (p.ServiceActionReservationKey == 0)
            {
                return PrOutResult.Good; // nothing to register; no generation change
            }

            if (_registrations.Count >= MaxRegistrations)
            {
                return new PrOutResult(PrOutStatus.InsufficientRegistrationResources);
            }

            bool allTgPt = (p.Flags & PrOutFlags.AllTgPt) != 0;
            _registrations.Add(new Registration(nexus.Initiator, nexus.Target.RelativeId, allTgPt, p.ServiceActionReservationKey));
        }
        else
        {
            if (!ignoreExistingKey && p.ReservationKey != existing.Key)
            {
                return PrOutResult.Conflict;
            }

            if (p.ServiceActionReservationKey == 0)
            {
                Unregister(existing, nexus, events);
            }
            else
            {
                existing.Key = p.ServiceActionReservationKey;
            }
        }

        Aptpl = (p.Flags & PrOutFlags.Aptpl) != 0;
        Generation++;
        return PrOutResult.Good;
    }

    /// <summary>Removes a registration the nexus itself gave up (SPC-4 §5.13.11.2.3 "unregistering").</summary>
    private void Unregister(Registration registration, ItNexus nexus, IReservationEvents events)
    {
        _registrations.Remove(registration);
        if (Holder is null)
        {
            return;
        }

        if (IsAllRegistrants(Type))
        {
            if (_registrations.Count == 0)
            {
                ReleaseReservation();
            }
            else if (ReferenceEquals(Holder, registration))
            {
                Holder = _registrations[0]; // any remaining registrant still holds it
            }

            return;
        }

        if (!ReferenceEquals(Holder, registration))
        {
            return;
        }

        var releasedType = Type;
        ReleaseReservation();
        if (IsRegistrantsOnly(releasedType))
        {
            // SPC-4 §5.13.10.1: the holder of a registrants-only reservation unregistered.
            foreach (var other in _registrations)
            {
                events.UnitAttention(other, nexus, AdditionalSense.ReservationsReleased);
            }
        }
    }

    /// <summary>RESERVE (SPC-4 §5.13.9).</summary>
    private PrOutResult Reserve(ItNexus nexus, byte scope, PersistentReservationType type, ulong key)
    {
        var reg = Find(nexus);
        if (reg is null || reg.Key != key)
        {
            return PrOutResult.Conflict;
        }

        if (scope != 0)
        {
            return PrOutResult.BadCdb(2, 7);
        }

        if (!PersistentReservationTypeNames.IsDefined(type))
        {
            return PrOutResult.BadCdb(2, 3);
        }

        if (Holder is not null)
        {
            // Re-reserving with the same type and scope is a no-op; anything else conflicts (§5.13.9).
            return IsHolder(nexus) && Type == type && Scope == scope ? PrOutResult.Good : PrOutResult.Conflict;
        }

        Holder = reg;
        Type = type;
        Scope = scope;
        return PrOutResult.Good;
    }

    /// <summary>RELEASE (SPC-4 §5.13.11.2.2).</summary>
    private PrOutResult Release(ItNexus nexus, byte scope, PersistentReservationType type, ulong key, IReservationEvents events)
    {
        var reg = Find(nexus);
        if (reg is null || reg.Key != key)
        {
            return PrOutResult.Conflict;
        }

        if (Holder is null || !IsHolder(nexus))
        {
            return PrOutResult.Good; // no reservation, or not the holder: GOOD without effect
        }

        if (Type != type || Scope != scope)
        {
            return new PrOutResult(PrOutStatus.InvalidRelease);
        }

        var releasedType = Type;
        ReleaseReservation();
        if (IsRegistrantsOnly(releasedType) || IsAllRegistrants(releasedType))
        {
            foreach (var other in _registrations)
            {
                events.UnitAttention(other, nexus, AdditionalSense.ReservationsReleased);
            }
        }

        return PrOutResult.Good;
    }

    /// <summary>CLEAR (SPC-4 §5.13.11.2.6).</summary>
    private PrOutResult Clear(ItNexus nexus, ulong key, IReservationEvents events)
    {
        var reg = Find(nexus);
        if (reg is null || reg.Key != key)
        {
            return PrOutResult.Conflict;
        }

        foreach (var other in _registrations)
        {
            events.UnitAttention(other, nexus, AdditionalSense.ReservationsPreempted);
        }

        _registrations.Clear();
        ReleaseReservation();
        Generation++;
        return PrOutResult.Good;
    }

    /// <summary>PREEMPT and PREEMPT AND ABORT (SPC-4 §5.13.11.2.4, §5.13.11.2.5).</summary>
    private PrOutResult Preempt(ItNexus nexus, byte scope, PersistentReservationType type, in PrOutParameterList p, bool abort, IReservationEvents events)
    {
        var issuer = Find(nexus);
        if (issuer is null || issuer.Key != p.ReservationKey)
        {
            return PrOutResult.Conflict;
        }

        ulong sark = p.ServiceActionReservationKey;
        bool preemptsReservation = Holder is not null &&
            (IsAllRegistrants(Type) ? sark == 0 : sark == Holder.Key);

        if (!preemptsReservation)
        {
            if (sark == 0)
            {
                return PrOutResult.BadParameter(8); // SPC-4 §5.13.11.2.4.2: SARK zero names nobody
            }

            // Remove the registrations with key SARK (§5.13.11.2.4.4); the reservation is untouched.
            var removed = RemoveMatching(r => r.Key == sark && !ReferenceEquals(r, issuer));
            if (removed.Count == 0)
            {
                return PrOutResult.Conflict;
            }

            Finish(removed);
            return PrOutResult.Good;
        }

        if (scope != 0)
        {
            return PrOutResult.BadCdb(2, 7);
        }

        if (!PersistentReservationTypeNames.IsDefined(type))
        {
            return PrOutResult.BadCdb(2, 3);
        }

        var oldType = Type;
        var oldScope = Scope;
        // All-registrants with SARK 0 removes every other registrant; otherwise those with the holder's key.
        var gone = IsAllRegistrants(Type)
            ? RemoveMatching(r => !ReferenceEquals(r, issuer))
            : RemoveMatching(r => r.Key == sark && !ReferenceEquals(r, issuer));
        Holder = issuer;
        Type = type;
        Scope = scope;
        Finish(gone);
        if (oldType != type || oldScope != scope)
        {
            foreach (var other in _registrations)
            {
                events.UnitAttention(other, nexus, AdditionalSense.ReservationsReleased);
            }
        }

        return PrOutResult.Good;

        void Finish(List<Registration> removedRegs)
        {
            foreach (var r in removedRegs)
            {
                events.UnitAttention(r, nexus, AdditionalSense.RegistrationsPreempted);
                if (abort)
                {
                    events.AbortTasks(r, nexus);
                }
            }

            if (Holder is not null && !_registrations.Contains(Holder))
            {
                if (IsAllRegistrants(Type) && _registrations.Count > 0)
                {
                    Holder = _registrations[0]; // the remaining registrants still hold it
                }
                else
                {
                    ReleaseReservation();
                }
            }

            Generation++;
        }
    }

    private List<Registration> RemoveMatching(Predicate<Registration> match)
    {
        var removed = new List<Registration>();
        for (int i = _registrations.Count - 1; i >= 0; i--)
        {
            if (match(_registrations[i]))
            {
                removed.Add(_registrations[i]);
                _registrations.RemoveAt(i);
            }
        }

        removed.Reverse();
        return removed;
    }

    private void ReleaseReservation()
    {
        Holder = null;
        Type = 0;
        Scope = 0;
    }
}

namespace HwFence.Emulator.Nexus;

/// <summary>
/// One I_T nexus (SAM-5 §4.7): the relationship between one initiator port and one target port,
/// created when a session logs in (or a loopback transport connects) and lost when the session
/// ends. SPC-2 reservations, unit attentions and task sets are per nexus; persistent reservation
/// registrations are per initiator port and survive the loss of the nexus.
/// </summary>
public sealed class ItNexus
{
    private static long s_nextId;
    private int _lost;

    internal ItNexus(InitiatorPortId initiator, TargetPortId target)
    {
        Initiator = initiator;
        Target = target;
        Id = Interlocked.Increment(ref s_nextId);
        Key = initiator.PortName + "|" + target.RelativeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public InitiatorPortId Initiator { get; }

    public TargetPortId Target { get; }

    /// <summary>Unique per process; distinguishes a re-created nexus from the one it replaced.</summary>
    public long Id { get; }

    /// <summary>Initiator port name plus relative target port id: equal for a nexus and its replacement.</summary>
    public string Key { get; }

    /// <summary>True once the nexus was lost (logout, connection drop, session reinstatement).</summary>
    public bool IsLost => Volatile.Read(ref _lost) != 0;

    /// <summary>Marks the nexus lost; returns false if it already was.</summary>
    internal bool MarkLost() => Interlocked.Exchange(ref _lost, 1) == 0;

    public override string ToString() => $"{Initiator.PortName} via {Target.PortName}";
}

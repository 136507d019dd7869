using HwFence.Emulator.Nexus;

namespace HwFence.Emulator.Reservations;

/// <summary>
/// One persistent reservation registration (SPC-4 §5.13.7): a reservation key held by an
/// initiator port through one target port, or through every target port when ALL_TG_PT was set.
/// Survives the loss of the I_T nexus that created it; survives power loss only under APTPL.
/// </summary>
public sealed class Registration
{
    public Registration(InitiatorPortId initiator, ushort relativeTargetPortId, bool allTargetPorts, ulong key)
    {
        Initiator = initiator;
        RelativeTargetPortId = relativeTargetPortId;
        AllTargetPorts = allTargetPorts;
        Key = key;
    }

    public InitiatorPortId Initiator { get; }

    /// <summary>The target port the REGISTER arrived through (reported in READ FULL STATUS).</summary>
    public ushort RelativeTargetPortId { get; }

    /// <summary>ALL_TG_PT: the registration applies to the initiator port through every target port.</summary>
    public bool AllTargetPorts { get; }

    public ulong Key { get; internal set; }

    /// <summary>True when <paramref name="nexus"/> is an I_T nexus this registration covers.</summary>
    public bool Covers(ItNexus nexus) =>
        nexus.Initiator.PortName == Initiator.PortName && (AllTargetPorts || nexus.Target.RelativeId == RelativeTargetPortId);

    /// <summary>True when the nexus key (initiator port | relative target port) is covered.</summary>
    public bool Covers(InitiatorPortId initiator, ushort relativeTargetPortId) =>
        initiator.PortName == Initiator.PortName && (AllTargetPorts || relativeTargetPortId == RelativeTargetPortId);

    public override string ToString() =>
        $"key 0x{Key:x16} for {Initiator.PortName}" + (AllTargetPorts ? " (all target ports)" : $" via target port {RelativeTargetPortId}");
}

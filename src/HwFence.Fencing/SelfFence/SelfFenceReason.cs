namespace HwFence.Fencing.SelfFence;

/// <summary>Why a node fenced itself.</summary>
public enum SelfFenceReason
{
    /// <summary>This node's registration key is gone from the fencing disk: a peer fenced it.</summary>
    KeyRemoved,
    /// <summary>A write of this node got RESERVATION CONFLICT: it no longer has write access.</summary>
    ReservationConflict,
    /// <summary>This node lost quorum: another partition may take its applications over.</summary>
    QuorumLost,
}

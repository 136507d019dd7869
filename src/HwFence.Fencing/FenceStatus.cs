namespace HwFence.Fencing;

/// <summary>A node's state as seen by a fence device (fence-agents "status": on = 0, off = 2).</summary>
public enum FenceStatus
{
    /// <summary>Unfenced: the node may use the storage (key registered, power on).</summary>
    On,
    /// <summary>Fenced: cut off from the storage or power.</summary>
    Off,
    /// <summary>The device could not tell (unreachable, not configured for this node).</summary>
    Unknown,
}

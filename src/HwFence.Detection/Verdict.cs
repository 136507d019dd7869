namespace HwFence.Detection;

/// <summary>The detector's view of a peer, combining all its paths (design.md "verdict").</summary>
public enum Verdict
{
    /// <summary>Still within initdead: nothing is known yet.</summary>
    Unknown,
    /// <summary>At least one path is Up.</summary>
    Alive,
    /// <summary>No path Up, but not every path is Down past its deadtime (some are Late).</summary>
    Suspect,
    /// <summary>Every LAN path Down while a serial path or the drive pulse is Up: alarm, never fail over.</summary>
    Partitioned,
    /// <summary>Every configured path Down past its deadtime, and this node is itself healthy.</summary>
    Dead,
}

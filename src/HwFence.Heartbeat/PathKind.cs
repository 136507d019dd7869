namespace HwFence.Heartbeat;

/// <summary>The kinds of independent path on which a node hears a peer (design.md "path").</summary>
public enum PathKind
{
    /// <summary>UDP heartbeats on a LAN (one path per network/ring).</summary>
    Lan,
    /// <summary>Framed heartbeats on a serial line joining exactly two nodes.</summary>
    Serial,
    /// <summary>The drive pulse on a shared disk.</summary>
    Disk,
}

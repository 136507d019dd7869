namespace HwFence.Hal.Power;

/// <summary>How the relay contact sits in the node's power line (hil/README-power.md).</summary>
public enum RelayWiring
{
    /// <summary>
    /// Through the normally-closed contact: coil energized = power cut. The recommended wiring — a dead
    /// fencing host, a lost USB board or a GPIO line left floating leaves the nodes powered.
    /// </summary>
    NormallyClosed,

    /// <summary>Through the normally-open contact: coil energized = power on (the node dies with the relay board).</summary>
    NormallyOpen,
}

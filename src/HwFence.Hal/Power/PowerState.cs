namespace HwFence.Hal.Power;

/// <summary>Whether the node behind a relay has power.</summary>
public enum PowerState
{
    Off,
    On,
}

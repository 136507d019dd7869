namespace HwFence.Hal.Power;

/// <summary>A relay did not reach the state it was switched to (read-back disagrees).</summary>
public sealed class RelayVerificationException(string device, PowerState wanted, PowerState readBack)
    : IOException($"relay {device}: switched power {wanted.ToString().ToLowerInvariant()} but reads back {readBack.ToString().ToLowerInvariant()} — check the board's supply and wiring (hil/README-power.md)")
{
    public string Device { get; } = device;
    public PowerState Wanted { get; } = wanted;
    public PowerState ReadBack { get; } = readBack;
}

namespace HwFence.Hal.Power;

/// <summary>Timing and wiring of a power relay.</summary>
public sealed class RelayOptions
{
    /// <summary>Default <see cref="RelayWiring.NormallyClosed"/>: losing the relay board never powers nodes off.</summary>
    public RelayWiring Wiring { get; set; } = RelayWiring.NormallyClosed;

    /// <summary>
    /// How long power stays off during a reboot. Default 5 s: an ATX supply's hold-up capacitors and the
    /// board's standby rail need a few seconds to drain, or the node does not really lose power
    /// (APC and Raritan PDUs default to a 5 s reboot delay too).
    /// </summary>
    public TimeSpan RebootOffTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Wait between switching and reading back. Default 20 ms: twice the 10 ms operate/release time of
    /// the common SRD-05VDC relays on GPIO and USB relay boards.
    /// </summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Reads back this many times (after <see cref="SettleTime"/> each) before declaring failure. Default 3.</summary>
    public int VerifyAttempts { get; set; } = 3;

    /// <summary>The problems found (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RebootOffTime < TimeSpan.FromSeconds(1))
        {
            errors.Add($"RebootOffTime {RebootOffTime}: at least 1 s, or the node may ride through the gap");
        }

        if (SettleTime < TimeSpan.Zero || SettleTime > TimeSpan.FromSeconds(5))
        {
            errors.Add($"SettleTime {SettleTime}: between 0 and 5 s");
        }

        if (VerifyAttempts is < 1 or > 100)
        {
            errors.Add($"VerifyAttempts {VerifyAttempts}: between 1 and 100");
        }

        return errors;
    }
}

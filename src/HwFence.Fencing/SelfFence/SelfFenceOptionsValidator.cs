namespace HwFence.Fencing.SelfFence;

/// <summary>Checks <see cref="SelfFenceOptions"/>; every message names the option and the fix.</summary>
public static class SelfFenceOptionsValidator
{
    /// <summary>The problems found (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(SelfFenceOptions options)
    {
        var errors = new List<string>();
        if (options.WatchdogTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"WatchdogTimeout {options.WatchdogTimeout}: must be at least 1 s (watchdog drivers count whole seconds)");
        }

        if (options.FeedInterval <= TimeSpan.Zero)
        {
            errors.Add($"FeedInterval {options.FeedInterval}: must be positive");
        }
        else if (options.FeedInterval * 2 > options.WatchdogTimeout)
        {
            errors.Add($"FeedInterval {options.FeedInterval}: must be at most half of WatchdogTimeout {options.WatchdogTimeout}, or one late feed resets a healthy node");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(SelfFenceOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("self-fence options: " + string.Join("; ", errors));
        }
    }
}

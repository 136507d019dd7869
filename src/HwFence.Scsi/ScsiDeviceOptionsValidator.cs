namespace HwFence.Scsi;

/// <summary>Checks <see cref="ScsiDeviceOptions"/>; every message names the setting and the allowed range.</summary>
public static class ScsiDeviceOptionsValidator
{
    /// <summary>Largest timeout accepted: SG_IO takes milliseconds in an unsigned 32-bit field; a day is plenty.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>Upper bound on UA retries: more means a device stuck in a reset loop goes unnoticed.</summary>
    public const int MaxUnitAttentionRetries = 64;

    public static IReadOnlyList<string> Validate(ScsiDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.DefaultTimeout <= TimeSpan.Zero || options.DefaultTimeout > MaxTimeout)
        {
            errors.Add($"ScsiDeviceOptions.DefaultTimeout is {options.DefaultTimeout}; it must be > 0 and ≤ {MaxTimeout}");
        }

        if (options.UnitAttentionRetries is < 0 or > MaxUnitAttentionRetries)
        {
            errors.Add($"ScsiDeviceOptions.UnitAttentionRetries is {options.UnitAttentionRetries}; it must be 0..{MaxUnitAttentionRetries}");
        }

        if (options.TimeProvider is null)
        {
            errors.Add("ScsiDeviceOptions.TimeProvider is null; use TimeProvider.System");
        }

        return errors;
    }

    public static void ThrowIfInvalid(ScsiDeviceOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }
    }
}

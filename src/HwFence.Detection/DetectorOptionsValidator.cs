using HwFence.Heartbeat;

namespace HwFence.Detection;

/// <summary>
/// Checks <see cref="DetectorOptions"/> for timings that cannot work: every error names the
/// field, its value and the rule it breaks.
/// </summary>
public static class DetectorOptionsValidator
{
    /// <summary>The smallest number of intervals a deadtime must span: two lost heartbeats plus jitter.</summary>
    public const int MinIntervalsPerDeadtime = 3;

    /// <summary>Returns every problem found; empty when the options are usable.</summary>
    public static IReadOnlyList<string> Validate(DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (PathKind kind in Enum.GetValues<PathKind>())
        {
            ValidateTimings(kind, options.For(kind), options, errors);
        }

        if (options.TickPeriod <= TimeSpan.Zero)
        {
            errors.Add($"TickPeriod = {Ms(options.TickPeriod)}: must be positive");
        }

        if (options.StallThreshold <= TimeSpan.Zero)
        {
            errors.Add($"StallThreshold = {Ms(options.StallThreshold)}: must be positive");
        }

        if (options.PhiWindowSize < 2)
        {
            errors.Add($"PhiWindowSize = {options.PhiWindowSize}: must be at least 2 samples");
        }

        if (!(options.PhiMinStdDevFraction > 0) || options.PhiMinStdDevFraction > 10)
        {
            errors.Add($"PhiMinStdDevFraction = {options.PhiMinStdDevFraction}: must be in (0, 10]");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(DetectorOptions options)
    {
        IReadOnlyList<string> errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "invalid detector options — fix these settings: " + string.Join("; ", errors), nameof(options));
        }
    }

    private static void ValidateTimings(PathKind kind, PathTimings? t, DetectorOptions options, List<string> errors)
    {
        string name = kind.ToString();
        if (t is null)
        {
            errors.Add($"{name}: timings missing");
            return;
        }

        if (t.Interval <= TimeSpan.Zero)
        {
            errors.Add($"{name}.Interval = {Ms(t.Interval)}: must be positive");
            return;
        }

        if (t.Warntime <= t.Interval)
        {
            errors.Add($"{name}.Warntime = {Ms(t.Warntime)}: must be longer than {name}.Interval = {Ms(t.Interval)}");
        }

        if (t.Warntime >= t.Deadtime)
        {
            errors.Add($"{name}.Warntime = {Ms(t.Warntime)}: must be shorter than {name}.Deadtime = {Ms(t.Deadtime)}");
        }

        if (t.Deadtime < MinIntervalsPerDeadtime * t.Interval)
        {
            errors.Add(
                $"{name}.Deadtime = {Ms(t.Deadtime)}: must be at least {MinIntervalsPerDeadtime} × {name}.Interval " +
                $"= {Ms(MinIntervalsPerDeadtime * t.Interval)} (one lost heartbeat must not make the path Down)");
        }

        if (t.Initdead < t.Deadtime)
        {
            errors.Add($"{name}.Initdead = {Ms(t.Initdead)}: must be at least {name}.Deadtime = {Ms(t.Deadtime)}");
        }

        if (options.TickPeriod > TimeSpan.Zero && options.TickPeriod >= t.Interval)
        {
            errors.Add(
                $"TickPeriod = {Ms(options.TickPeriod)}: must be shorter than {name}.Interval = {Ms(t.Interval)} " +
                "(the detector must look more often than the peer sends)");
        }

        if (options.StallThreshold > TimeSpan.Zero && options.StallThreshold + t.Interval >= t.Deadtime)
        {
            errors.Add(
                $"StallThreshold = {Ms(options.StallThreshold)}: StallThreshold + {name}.Interval must be shorter than " +
                $"{name}.Deadtime = {Ms(t.Deadtime)} (an unnoticed local stall could otherwise make a healthy peer Down)");
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.###} ms";
}

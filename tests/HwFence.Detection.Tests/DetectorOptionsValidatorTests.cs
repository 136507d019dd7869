namespace HwFence.Detection.Tests;

public sealed class DetectorOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid_and_detect_within_the_failover_budget()
    {
        var options = new DetectorOptions();
        Assert.Empty(DetectorOptionsValidator.Validate(options));
        Assert.Equal(TimeSpan.FromMilliseconds(820), options.MaxDetectionTime);
        Assert.Equal(TimeSpan.FromMilliseconds(170), options.StallGap);
        Assert.Equal(6, options.Lan.IntervalsPerDeadtime);
        Assert.Equal(4, options.Disk.IntervalsPerDeadtime);
    }

    [Fact]
    public void Warntime_not_below_deadtime_is_rejected_naming_field_and_value()
    {
        var options = new DetectorOptions { Lan = new DetectorOptions().Lan with { Warntime = TimeSpan.FromMilliseconds(600) } };
        string error = Assert.Single(DetectorOptionsValidator.Validate(options));
        Assert.Contains("Lan.Warntime = 600 ms", error);
        Assert.Contains("Lan.Deadtime = 600 ms", error);
    }

    [Fact]
    public void Deadtime_shorter_than_three_intervals_is_rejected()
    {
        var options = new DetectorOptions { Disk = new DetectorOptions().Disk with { Deadtime = TimeSpan.FromMilliseconds(550), Warntime = TimeSpan.FromMilliseconds(300) } };
        IReadOnlyList<string> errors = DetectorOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.Contains("Disk.Deadtime = 550 ms") && e.Contains("3 × Disk.Interval = 600 ms"));
    }

    [Fact]
    public void Initdead_shorter_than_deadtime_is_rejected()
    {
        var options = new DetectorOptions { Serial = new DetectorOptions().Serial with { Initdead = TimeSpan.FromMilliseconds(500) } };
        Assert.Contains(DetectorOptionsValidator.Validate(options), e => e.Contains("Serial.Initdead = 500 ms") && e.Contains("Serial.Deadtime = 600 ms"));
    }

    [Fact]
    public void Warntime_not_above_interval_and_nonpositive_interval_are_rejected()
    {
        var options = new DetectorOptions
        {
            Lan = new DetectorOptions().Lan with { Warntime = TimeSpan.FromMilliseconds(100) },
            Serial = new DetectorOptions().Serial with { Interval = TimeSpan.Zero },
        };
        IReadOnlyList<string> errors = DetectorOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.Contains("Lan.Warntime = 100 ms") && e.Contains("Lan.Interval"));
        Assert.Contains(errors, e => e.Contains("Serial.Interval = 0 ms") && e.Contains("positive"));
    }

    [Fact]
    public void Tick_and_stall_threshold_bounds_are_checked()
    {
        var options = new DetectorOptions { TickPeriod = TimeSpan.FromMilliseconds(150), StallThreshold = TimeSpan.FromMilliseconds(550) };
        IReadOnlyList<string> errors = DetectorOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.StartsWith("TickPeriod = 150 ms") && e.Contains("Lan.Interval = 100 ms"));
        Assert.Contains(errors, e => e.StartsWith("StallThreshold = 550 ms") && e.Contains("Lan.Deadtime = 600 ms"));
        Assert.DoesNotContain(errors, e => e.Contains("Disk.Interval = 200 ms") && e.StartsWith("TickPeriod"));
    }

    [Fact]
    public void Phi_settings_are_checked()
    {
        var options = new DetectorOptions { PhiWindowSize = 1, PhiMinStdDevFraction = 0 };
        IReadOnlyList<string> errors = DetectorOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.StartsWith("PhiWindowSize = 1"));
        Assert.Contains(errors, e => e.StartsWith("PhiMinStdDevFraction = 0"));
    }

    [Fact]
    public void Detector_refuses_invalid_options_with_every_error()
    {
        var options = new DetectorOptions { Lan = new DetectorOptions().Lan with { Deadtime = TimeSpan.FromMilliseconds(200) } };
        var e = Assert.Throws<ArgumentException>(() => new FailureDetector(options, TimeProvider.System));
        Assert.Contains("Lan.Deadtime = 200 ms", e.Message);
        Assert.Contains("Lan.Warntime = 300 ms", e.Message);
        Assert.Contains("fix these settings", e.Message);
    }
}

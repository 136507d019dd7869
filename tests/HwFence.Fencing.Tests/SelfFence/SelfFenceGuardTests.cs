using HwFence.Fencing.SelfFence;
using HwFence.Hal.Watchdog;
using HwFence.Testing;

namespace HwFence.Fencing.Tests.SelfFence;

/// <summary>Timelines on the fake clock with the software watchdog (1 s feeds, 5 s timeout).</summary>
public class SelfFenceGuardTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _log = [];
    private readonly List<(SelfFenceReason Reason, DateTimeOffset At)> _stops = [];
    private readonly SoftwareWatchdog _watchdog;
    private bool _quorum = true;
    private bool _keyRegistered = true;
    private bool _detectorOnTime = true;

    public SelfFenceGuardTests() => _watchdog = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time);

    private SelfFenceGuard NewGuard()
    {
        var guard = new SelfFenceGuard(
            _watchdog,
            [HealthCheck.Quorum(() => _quorum), HealthCheck.OwnKeyRegistered(() => _keyRegistered), HealthCheck.DetectorNotStalled(() => _detectorOnTime)],
            (reason, _) => _stops.Add((reason, _time.GetUtcNow())),
            _log.Add,
            _time);
        guard.Start();
        return guard;
    }

    [Fact]
    public void Healthy_node_is_fed_and_never_reset()
    {
        using var guard = NewGuard();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(_watchdog.Expired);
        Assert.True(_watchdog.Keepalives >= 60);
        Assert.Empty(_stops);
        Assert.False(guard.IsSelfFenced);
    }

    [Fact]
    public void Key_removed_stops_applications_at_once_stops_feeding_and_the_watchdog_fires()
    {
        using var guard = NewGuard();
        _time.Advance(TimeSpan.FromSeconds(10));
        var t0 = _time.GetUtcNow();
        guard.ReportKeyRemoved("iscsi://127.0.0.1:3260/iqn.x/1");
        Assert.Single(_stops);
        Assert.Equal((SelfFenceReason.KeyRemoved, t0), _stops[0]);
        Assert.True(guard.IsSelfFenced);
        Assert.Contains("registration key removed from iscsi://127.0.0.1:3260/iqn.x/1", guard.Message);
        Assert.Contains(_log, l => l.StartsWith("SELF-FENCE (KeyRemoved)", StringComparison.Ordinal));

        long fed = _watchdog.Keepalives;
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(fed, _watchdog.Keepalives);
        Assert.False(_watchdog.Expired);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_watchdog.Expired);
        Assert.True(_watchdog.IsArmed is false);
    }

    [Fact]
    public void Self_fence_happens_exactly_once_even_when_reported_concurrently()
    {
        using var guard = NewGuard();
        var results = new bool[64];
        Parallel.For(0, results.Length, i => results[i] = i % 2 == 0
            ? guard.SelfFence(SelfFenceReason.ReservationConflict, $"writer {i}")
            : guard.SelfFence(SelfFenceReason.KeyRemoved, $"poller {i}"));
        guard.ReportReservationConflict("emu:disk", "WRITE(10)");
        Assert.Single(results, r => r);
        Assert.Single(_stops);
        Assert.Single(_log, l => l.StartsWith("SELF-FENCE", StringComparison.Ordinal));
    }

    [Fact]
    public void Reservation_conflict_on_own_write_names_device_and_command()
    {
        using var guard = NewGuard();
        guard.ReportReservationConflict("emu:disk", "WRITE(10)");
        Assert.Equal(SelfFenceReason.ReservationConflict, guard.Reason);
        Assert.Contains("device emu:disk: RESERVATION CONFLICT on WRITE(10) — this node was fenced", guard.Message);
    }

    [Fact]
    public void Losing_quorum_or_the_key_is_found_by_the_health_checks()
    {
        using var guard = NewGuard();
        _time.Advance(TimeSpan.FromSeconds(3));
        _quorum = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SelfFenceReason.QuorumLost, guard.Reason);
        Assert.Single(_stops);

        _keyRegistered = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(_stops);
        Assert.True(_watchdog.Expired);
    }

    [Fact]
    public void Stalled_detector_stops_feeding_without_stopping_applications_and_recovery_resumes()
    {
        using var guard = NewGuard();
        _time.Advance(TimeSpan.FromSeconds(2));
        _detectorOnTime = false;
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Contains(_log, l => l.Contains("not fed — health check \"detector not stalled\" failed", StringComparison.Ordinal));
        _detectorOnTime = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(_log, l => l.Contains("feeding again", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(_watchdog.Expired);
        Assert.Empty(_stops);

        _detectorOnTime = false;
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(_watchdog.Expired);
        Assert.Empty(_stops);
        Assert.Equal(2, _log.Count(l => l.Contains("not fed", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_throwing_stop_callback_is_logged_and_the_watchdog_still_resets()
    {
        var guard = new SelfFenceGuard(_watchdog, [], (_, _) => throw new InvalidOperationException("app refused"), _log.Add, _time);
        guard.Start();
        Assert.True(guard.SelfFence(SelfFenceReason.KeyRemoved, "test"));
        Assert.Contains(_log, l => l.Contains("app refused", StringComparison.Ordinal));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(_watchdog.Expired);
    }

    [Fact]
    public void Clean_stop_disarms_but_a_self_fenced_node_stays_armed()
    {
        var healthy = NewGuard();
        healthy.Stop();
        Assert.False(_watchdog.IsArmed);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_watchdog.Expired);

        var wd2 = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time);
        var fenced = new SelfFenceGuard(wd2, [], (_, _) => { }, _log.Add, _time);
        fenced.Start();
        fenced.SelfFence(SelfFenceReason.KeyRemoved, "test");
        fenced.Stop();
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(wd2.Expired);
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(0.5, 0.1)]
    [InlineData(5, 0)]
    public void Options_validator_rejects_unsafe_timings(double timeout, double interval)
    {
        var o = new SelfFenceOptions { WatchdogTimeout = TimeSpan.FromSeconds(timeout), FeedInterval = TimeSpan.FromSeconds(interval) };
        Assert.NotEmpty(SelfFenceOptionsValidator.Validate(o));
        Assert.Throws<ArgumentException>(() => new SelfFenceGuard(_watchdog, [], (_, _) => { }, _ => { }, _time, o));
        Assert.Empty(SelfFenceOptionsValidator.Validate(new SelfFenceOptions()));
    }
}

using HwFence.Hal.Watchdog;
using HwFence.Testing;

namespace HwFence.Fencing.Tests.SelfFence;

public class SoftwareWatchdogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Fed_in_time_it_never_expires()
    {
        var wd = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time);
        for (int i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            wd.Keepalive();
        }

        Assert.False(wd.Expired);
        Assert.True(wd.IsArmed);
        Assert.Equal(20, wd.Keepalives);
    }

    [Fact]
    public void Not_fed_it_records_the_reset_moment_to_callback_and_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hwfence-wd-{Guid.NewGuid():N}.log");
        try
        {
            DateTimeOffset? seen = null;
            var start = _time.GetUtcNow();
            var wd = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time, at => seen = at, path);
            _time.Advance(TimeSpan.FromSeconds(3));
            wd.Keepalive();
            _time.Advance(TimeSpan.FromSeconds(4.9));
            Assert.False(wd.Expired);
            _time.Advance(TimeSpan.FromSeconds(0.1));
            Assert.True(wd.Expired);
            Assert.Equal(start + TimeSpan.FromSeconds(8), seen);
            Assert.Equal(seen, wd.ExpiredAt);
            Assert.Contains("watchdog expired", File.ReadAllText(path));
            var ex = Assert.Throws<InvalidOperationException>(wd.Keepalive);
            Assert.Contains("would have been reset", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Disarm_is_the_magic_close_and_dispose_without_it_stays_armed()
    {
        var clean = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time);
        clean.Disarm();
        var crashed = new SoftwareWatchdog(TimeSpan.FromSeconds(5), _time);
        crashed.Dispose();
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(clean.Expired);
        Assert.True(crashed.Expired);
    }
}

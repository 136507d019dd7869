using HwFence.Hal.Watchdog;

namespace HwFence.Fencing.Tests.SelfFence;

/// <summary>The real P/Invoke path, on devices every Linux box has (there is no /dev/watchdog here to arm).</summary>
public class LinuxWatchdogTests
{
    [Fact]
    public void Missing_device_names_the_path_and_errno()
    {
        var ex = Assert.Throws<IOException>(() => LinuxWatchdog.Open("/dev/hwfence-no-such-watchdog", TimeSpan.FromSeconds(5)));
        Assert.Contains("/dev/hwfence-no-such-watchdog", ex.Message);
        Assert.Contains("open failed", ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void A_device_that_is_not_a_watchdog_fails_on_WDIOC_SETTIMEOUT()
    {
        // /dev/null accepts open and write('V') but answers the ioctl with ENOTTY.
        var ex = Assert.Throws<IOException>(() => LinuxWatchdog.Open("/dev/null", TimeSpan.FromSeconds(5)));
        Assert.Contains("WDIOC_SETTIMEOUT(5 s)", ex.Message);
        Assert.Contains("ENOTTY", ex.Message);
    }

    [Fact]
    public void Timeout_below_one_second_is_refused_before_opening()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LinuxWatchdog.Open("/dev/null", TimeSpan.Zero));
    }
}

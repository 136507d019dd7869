using HwFence.Testing;

namespace HwFence.Heartbeat.Tests;

/// <summary>Channels of one interval on one clock share one timer; it goes away with the last of them.</summary>
public class SharedTickerTests
{
    [Fact]
    public void Subscribers_of_one_interval_share_one_timer_and_each_ticks_once_per_interval()
    {
        var time = new FakeTimeProvider();
        int a = 0, b = 0, c = 0;
        using var subA = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(1), () => a++);
        using var subB = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(1), () => b++);
        using var subC = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(2), () => c++); // another interval: its own timer

        Assert.Equal(2, time.ActiveTimers);
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((2, 2, 1), (a, b, c));
    }

    [Fact]
    public void The_timer_stops_only_when_the_last_subscriber_leaves()
    {
        var time = new FakeTimeProvider();
        int a = 0, b = 0;
        var subA = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(1), () => a++);
        var subB = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(1), () => b++);

        subA.Dispose();
        subA.Dispose(); // idempotent
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((0, 1), (a, b));
        Assert.Equal(1, time.ActiveTimers);

        subB.Dispose();
        Assert.Equal(0, time.ActiveTimers);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((0, 1), (a, b));

        using var again = SharedTicker.Subscribe(time, TimeSpan.FromSeconds(1), () => a++); // a fresh timer after the last one left
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, a);
    }

    [Fact]
    public void On_the_system_clock_a_dedicated_thread_ticks_every_subscriber_until_it_leaves()
    {
        using var a = new SemaphoreSlim(0);
        using var b = new SemaphoreSlim(0);
        var interval = TimeSpan.FromMilliseconds(7); // an interval no channel uses, so this test has its own ticker
        var subA = SharedTicker.Subscribe(TimeProvider.System, interval, () => a.Release());
        using var subB = SharedTicker.Subscribe(TimeProvider.System, interval, () => b.Release());
        for (int i = 0; i < 3; i++)
        {
            Assert.True(a.Wait(TimeSpan.FromSeconds(10)), "subscriber A not ticked");
            Assert.True(b.Wait(TimeSpan.FromSeconds(10)), "subscriber B not ticked");
        }

        subA.Dispose();
        Drain(b);
        Assert.True(b.Wait(TimeSpan.FromSeconds(10)), "B stopped ticking when A left"); // may be a tick that began before A left (A then ticked first)
        Drain(a);
        Assert.True(b.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(b.Wait(TimeSpan.FromSeconds(10))); // began after A left
        Assert.False(a.Wait(0), "A ticked after it left");
    }

    private static void Drain(SemaphoreSlim s)
    {
        while (s.Wait(0))
        {
        }
    }
}

using HwFence.Testing;

namespace HwFence.Detection.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> seen through a process that can be frozen: <see cref="Stall"/>
/// moves this process's clock forward while no timer fires, and the next tick comes as it would
/// after SIGCONT — late by the whole stall. (<see cref="FakeTimeProvider.Stall"/> fires the
/// overdue timers at their original due times with the clock moved back, so a detector never
/// sees the gap; reported to the lead.)
/// </summary>
internal sealed class StallingClock : TimeProvider
{
    private readonly FakeTimeProvider _inner = new();
    private long _offsetTicks;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp() => _inner.GetTimestamp() + Volatile.Read(ref _offsetTicks);

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>Time passes normally; due timers fire in order.</summary>
    public void Advance(TimeSpan delta) => _inner.Advance(delta);

    /// <summary>This process is frozen for <paramref name="delta"/>: the clock jumps, nothing fires meanwhile.</summary>
    public void Stall(TimeSpan delta) => Interlocked.Add(ref _offsetTicks, delta.Ticks);
}

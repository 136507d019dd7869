namespace HwFence.Testing;

/// <summary>
/// A scripted clock for protocol tests: time moves only when the test calls <see cref="Advance"/>,
/// and timers created through it fire, in due order, as the clock passes their due time.
/// (Microsoft.Extensions.TimeProvider.Testing is not in this machine's package source.)
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<FakeTimer> _timers = new();
    private DateTimeOffset _now;
    private long _ticks; // monotonic, in TimestampFrequency units (= TimeSpan ticks)

    public FakeTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves time forward by <paramref name="delta"/>, firing due timers in order of due time.</summary>
    public void Advance(TimeSpan delta)
    {
        if (delta < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), "time does not go backwards");
        }

        long target;
        lock (_gate)
        {
            target = _ticks + delta.Ticks;
        }

        while (true)
        {
            FakeTimer? next = null;
            lock (_gate)
            {
                foreach (var t in _timers)
                {
                    if (t.DueTicks <= target && (next is null || t.DueTicks < next.DueTicks))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    _now += TimeSpan.FromTicks(target - _ticks);
                    _ticks = target;
                    return;
                }

                // A timer overdue after a Stall fires at the current time: the clock never runs backwards.
                long fireAt = Math.Max(_ticks, next.DueTicks);
                _now += TimeSpan.FromTicks(fireAt - _ticks);
                _ticks = fireAt;
                next.Reschedule();
            }

            next.Fire();
        }
    }

    /// <summary>Jumps the monotonic clock without firing timers in between, as a process that was SIGSTOPped sees it.</summary>
    public void Stall(TimeSpan delta)
    {
        lock (_gate)
        {
            _ticks += delta.Ticks;
            _now += delta;
        }

        Advance(TimeSpan.Zero);
    }

    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new FakeTimer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;
        public long DueTicks { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                _period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? -1 : period.Ticks;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueTicks = long.MaxValue;
                    return true;
                }

                DueTicks = owner._ticks + Math.Max(0, dueTime.Ticks);
                owner._timers.Add(this);
            }

            return true;
        }

        /// <summary>Called under the owner's lock when the timer fires.</summary>
        public void Reschedule()
        {
            if (_period > 0)
            {
                // Like System.Threading.Timer after the process was stopped: one late firing, then the period from now.
                DueTicks = Math.Max(DueTicks + _period, owner._ticks + _period);
            }
            else
            {
                owner._timers.Remove(this);
                DueTicks = long.MaxValue;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

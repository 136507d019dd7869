using System.Globalization;

namespace HwFence.Hal.Watchdog;

/// <summary>
/// A stand-in for /dev/watchdog in tests and the demo: driven by an injected <see cref="TimeProvider"/>,
/// it records the moment it would have reset the node — through <paramref name="onExpired"/> and, when
/// <paramref name="recordPath"/> is given, as one line appended to that file ("2026-01-01T12:00:07Z
/// watchdog expired: last keepalive 12:00:02Z, timeout 5 s") — instead of resetting anything.
/// </summary>
public sealed class SoftwareWatchdog : IWatchdog
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<DateTimeOffset>? _onExpired;
    private readonly string? _recordPath;
    private readonly ITimer _timer;
    private DateTimeOffset _lastKeepalive;
    private bool _armed = true;
    private bool _expired;

    /// <summary>Arms at once, as opening /dev/watchdog does.</summary>
    public SoftwareWatchdog(TimeSpan timeout, TimeProvider timeProvider, Action<DateTimeOffset>? onExpired = null, string? recordPath = null)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "software watchdog: timeout must be positive");
        }

        Timeout = timeout;
        _time = timeProvider;
        _onExpired = onExpired;
        _recordPath = recordPath;
        Name = recordPath is null ? "software-watchdog" : $"software:{recordPath}";
        _lastKeepalive = timeProvider.GetUtcNow();
        _timer = timeProvider.CreateTimer(static s => ((SoftwareWatchdog)s!).Fire(), this, timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public string Name { get; }

    public TimeSpan Timeout { get; }

    public bool IsArmed
    {
        get { lock (_gate) { return _armed; } }
    }

    public bool Expired
    {
        get { lock (_gate) { return _expired; } }
    }

    /// <summary>When it expired (the moment the node would have been reset), or null.</summary>
    public DateTimeOffset? ExpiredAt { get; private set; }

    /// <summary>Number of keepalives received, for tests.</summary>
    public long Keepalives { get; private set; }

    public void Keepalive()
    {
        lock (_gate)
        {
            if (!_armed)
            {
                throw new InvalidOperationException(_expired
                    ? $"{Name}: keepalive after the watchdog expired at {ExpiredAt:O} (the node would have been reset)"
                    : $"{Name}: keepalive after disarm");
            }

            _lastKeepalive = _time.GetUtcNow();
            Keepalives++;
            _timer.Change(Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    public void Disarm()
    {
        lock (_gate)
        {
            _armed = false;
            _timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Like closing /dev/watchdog without the magic character: stays armed and expires on time.</summary>
    public void Dispose()
    {
    }

    private void Fire()
    {
        DateTimeOffset now;
        DateTimeOffset last;
        lock (_gate)
        {
            if (!_armed)
            {
                return;
            }

            _armed = false;
            _expired = true;
            now = _time.GetUtcNow();
            last = _lastKeepalive;
            ExpiredAt = now;
        }

        if (_recordPath is not null)
        {
            File.AppendAllText(_recordPath, string.Create(CultureInfo.InvariantCulture,
                $"{now:O} watchdog expired: last keepalive {last:O}, timeout {Timeout.TotalSeconds} s — the node would have been reset\n"));
        }

        _onExpired?.Invoke(now);
    }
}

namespace HwFence.Heartbeat;

/// <summary>
/// When to try again to reopen a failed path (socket, tty, disk): after <see cref="Initial"/>, then
/// doubling up to <see cref="Max"/>, back to <see cref="Initial"/> after a success. Measured on the
/// injected clock's monotonic timestamps; the channel's send timer asks <see cref="Due"/>, so no
/// thread sleeps.
/// </summary>
internal sealed class ReopenBackoff
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private TimeSpan _next;
    private long _notBefore = long.MinValue;

    public ReopenBackoff(TimeProvider time, TimeSpan initial, TimeSpan max)
    {
        _time = time;
        Initial = initial;
        Max = max;
        _next = initial;
    }

    public TimeSpan Initial { get; }
    public TimeSpan Max { get; }

    /// <summary>Whether an attempt may be made now.</summary>
    public bool Due()
    {
        lock (_gate)
        {
            return _notBefore == long.MinValue || _time.GetTimestamp() >= _notBefore;
        }
    }

    /// <summary>An attempt failed (or the path just broke): wait before the next one.</summary>
    public TimeSpan Failed()
    {
        lock (_gate)
        {
            TimeSpan wait = _next;
            _notBefore = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
            _next = TimeSpan.FromTicks(Math.Min(Max.Ticks, _next.Ticks * 2));
            return wait;
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            _next = Initial;
            _notBefore = long.MinValue;
        }
    }
}

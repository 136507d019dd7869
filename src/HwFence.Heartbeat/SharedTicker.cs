namespace HwFence.Heartbeat;

/// <summary>
/// One send timer shared by every channel of this process that ticks at the same interval on the
/// same <see cref="TimeProvider"/> — the redundant LAN rings of a node. Each timer expiry wakes the
/// runtime's timer thread and a thread-pool worker (futex wake, context switch, the worker's spin
/// before it sleeps again), and on a 10 Hz heartbeat that wake-up, not the send, is most of the CPU
/// cost: three rings on one timer wake the process 10 times a second instead of 30.
/// </summary>
/// <remarks>
/// Subscribers run one after the other on the timer's callback, so only channels whose tick cannot
/// block may share (UDP sends; not a serial write, which may wait for a stalled line). A channel
/// joining a running ticker takes its phase: its first tick comes within one interval.
/// On the real clock (<see cref="TimeProvider.System"/>) the ticker is one dedicated thread waiting
/// on an event with a timeout rather than a runtime timer: a runtime timer wakes the timer thread,
/// which queues to the thread pool, whose worker then spins (sched_yield) before it sleeps again —
/// measured, that spin was over half the heartbeat's CPU. Any other clock (tests' fake clock) gets
/// its <see cref="TimeProvider.CreateTimer"/> timer.
/// </remarks>
internal sealed class SharedTicker
{
    private static readonly Dictionary<(TimeProvider Time, TimeSpan Interval), SharedTicker> Tickers = [];
    private static readonly object Gate = new();

    private readonly (TimeProvider, TimeSpan) _key;
    private readonly ITimer? _timer;
    private readonly ManualResetEvent? _stop;
    private Action[] _subscribers;

    private SharedTicker((TimeProvider Time, TimeSpan Interval) key, Action first)
    {
        _key = key;
        _subscribers = [first]; // before the timer or thread exists: its first tick must see it
        if (ReferenceEquals(key.Time, TimeProvider.System))
        {
            _stop = new ManualResetEvent(false);
            new Thread(static s => ((SharedTicker)s!).RunOnSystemClock(), maxStackSize: 256 * 1024)
            {
                IsBackground = true,
                Name = $"hwfence ticker {key.Interval.TotalMilliseconds:0} ms",
            }.Start(this);
        }
        else
        {
            _timer = key.Time.CreateTimer(static s => ((SharedTicker)s!).Fire(), this, key.Interval, key.Interval);
        }
    }

    /// <summary>Calls <paramref name="tick"/> every <paramref name="interval"/> until the returned subscription is disposed.</summary>
    public static IDisposable Subscribe(TimeProvider time, TimeSpan interval, Action tick)
    {
        lock (Gate)
        {
            if (Tickers.TryGetValue((time, interval), out SharedTicker? ticker))
            {
                ticker._subscribers = [.. ticker._subscribers, tick];
            }
            else
            {
                ticker = new SharedTicker((time, interval), tick);
                Tickers.Add((time, interval), ticker);
            }

            return new Subscription(ticker, tick);
        }
    }

    private void Fire()
    {
        foreach (Action tick in Volatile.Read(ref _subscribers))
        {
            tick(); // ReopeningChannel.Tick never throws
        }
    }

    /// <summary>
    /// The dedicated thread: fires at start + k × interval on the monotonic clock; a tick that
    /// overran (a stalled process) skips the missed ones rather than firing them back to back.
    /// </summary>
    private void RunOnSystemClock()
    {
        TimeSpan interval = _key.Item2;
        long period = (long)(interval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        long next = System.Diagnostics.Stopwatch.GetTimestamp() + period;
        ManualResetEvent stop = _stop!; // never disposed here: Remove may still Set it; its SafeWaitHandle is finalizable
        while (true)
        {
            long left = next - System.Diagnostics.Stopwatch.GetTimestamp();
            if (left > 0 && stop.WaitOne(TimeSpan.FromSeconds((double)left / System.Diagnostics.Stopwatch.Frequency)))
            {
                return;
            }

            Fire();
            next += period;
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (next <= now)
            {
                next = now + period;
            }
        }
    }

    private void Remove(Action tick)
    {
        lock (Gate)
        {
            int index = Array.IndexOf(_subscribers, tick);
            if (index < 0)
            {
                return;
            }

            _subscribers = [.. _subscribers[..index], .. _subscribers[(index + 1)..]];
            if (_subscribers.Length == 0)
            {
                Tickers.Remove(_key);
                _timer?.Dispose();
                _stop?.Set();
            }
        }
    }

    private sealed class Subscription(SharedTicker ticker, Action tick) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ticker.Remove(tick);
            }
        }
    }
}

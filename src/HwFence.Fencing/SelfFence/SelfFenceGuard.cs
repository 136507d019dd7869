using HwFence.Hal.Watchdog;

namespace HwFence.Fencing.SelfFence;

/// <summary>
/// Feeds the watchdog only while this node is healthy, and fences this node itself when it learns it
/// was fenced or lost quorum.
/// </summary>
/// <remarks>
/// <para>Every <see cref="SelfFenceOptions.FeedInterval"/> the guard asks its <see cref="HealthCheck"/>s.
/// All healthy: it feeds. A check without a reason fails (e.g. the detector is stalled): it skips the
/// feed and logs the first skip, so the watchdog resets the node unless health returns within the
/// timeout. A check with a reason fails, or a caller reports <see cref="ReportKeyRemoved"/> /
/// <see cref="ReportReservationConflict"/>: the guard self-fences.</para>
/// <para>Self-fencing happens exactly once, whoever calls it and however often (the guard of orleans'
/// MembershipTableManager.KillMyselfLocally): it stops the applications at once through the injected
/// callback, stops feeding for good — the watchdog then resets the node after its timeout; it is never
/// disarmed on this path — and logs why. A peer that fenced this node may start the applications
/// after its fence verified; the reset is the second line of defence for a node too wedged to stop
/// them itself.</para>
/// </remarks>
public sealed class SelfFenceGuard : IDisposable
{
    private readonly IWatchdog _watchdog;
    private readonly IReadOnlyList<HealthCheck> _checks;
    private readonly Action<SelfFenceReason, string> _stopApplications;
    private readonly Action<string> _log;
    private readonly TimeProvider _time;
    private readonly SelfFenceOptions _options;
    private readonly object _feedGate = new();
    private ITimer? _timer;
    private int _selfFenced; // 0 → 1 exactly once
    private string? _skippingBecause;
    private bool _stopped;

    /// <param name="watchdog">Armed watchdog (/dev/watchdog or <see cref="SoftwareWatchdog"/>).</param>
    /// <param name="checks">Health predicates asked before every feed.</param>
    /// <param name="stopApplications">Stops every application on this node now; gets the reason and the message.</param>
    /// <param name="log">Receives one line per event (self-fence, feed skipped/resumed, errors).</param>
    public SelfFenceGuard(
        IWatchdog watchdog,
        IReadOnlyList<HealthCheck> checks,
        Action<SelfFenceReason, string> stopApplications,
        Action<string> log,
        TimeProvider timeProvider,
        SelfFenceOptions? options = null)
    {
        _options = options ?? new SelfFenceOptions();
        SelfFenceOptionsValidator.ThrowIfInvalid(_options);
        _watchdog = watchdog;
        _checks = checks;
        _stopApplications = stopApplications;
        _log = log;
        _time = timeProvider;
    }

    /// <summary>True once this node fenced itself.</summary>
    public bool IsSelfFenced => Volatile.Read(ref _selfFenced) != 0;

    /// <summary>Why it fenced itself, once it did.</summary>
    public SelfFenceReason? Reason { get; private set; }

    /// <summary>The logged explanation, once it fenced itself.</summary>
    public string? Message { get; private set; }

    /// <summary>When it fenced itself.</summary>
    public DateTimeOffset? SelfFencedAt { get; private set; }

    /// <summary>Starts checking and feeding; the first feed happens at once.</summary>
    public void Start()
    {
        lock (_feedGate)
        {
            if (_timer is not null || _stopped)
            {
                return;
            }

            _timer = _time.CreateTimer(static s => ((SelfFenceGuard)s!).Tick(), this, TimeSpan.Zero, _options.FeedInterval);
        }
    }

    /// <summary>Called by whoever reads the keys (drive pulse, status poll) when this node's key is gone.</summary>
    public void ReportKeyRemoved(string device) =>
        SelfFence(SelfFenceReason.KeyRemoved, $"registration key removed from {device}: this node was fenced by a peer");

    /// <summary>Called by the I/O path when one of this node's own writes got RESERVATION CONFLICT.</summary>
    public void ReportReservationConflict(string device, string command) =>
        SelfFence(SelfFenceReason.ReservationConflict, $"device {device}: RESERVATION CONFLICT on {command} — this node was fenced");

    /// <summary>
    /// Fences this node: stop applications now, stop feeding, log. Only the first call acts; later calls
    /// return false and change nothing.
    /// </summary>
    public bool SelfFence(SelfFenceReason reason, string detail)
    {
        if (Interlocked.CompareExchange(ref _selfFenced, 1, 0) != 0)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var message = $"SELF-FENCE ({reason}): {detail}; stopping applications now, watchdog {_watchdog.Name} no longer fed — node resets within {_watchdog.Timeout.TotalSeconds:0.#} s";
        Reason = reason;
        Message = message;
        SelfFencedAt = now;

        // Applications first: every millisecond they keep running is a write the disk will refuse.
        try
        {
            _stopApplications(reason, message);
        }
        catch (Exception ex)
        {
            _log($"self-fence: stopping applications failed ({ex.GetType().Name}: {ex.Message}); the watchdog reset will stop them");
        }

        lock (_feedGate)
        {
            _timer?.Dispose();
            _timer = null;
        }

        _log(message);
        return true;
    }

    /// <summary>Clean shutdown of a healthy node: stop feeding and disarm (magic close). A self-fenced node stays armed.</summary>
    public void Stop()
    {
        lock (_feedGate)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
        }

        if (!IsSelfFenced)
        {
            _watchdog.Disarm();
        }
    }

    public void Dispose()
    {
        lock (_feedGate)
        {
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>One health check and feed; runs on the timer.</summary>
    private void Tick()
    {
        if (IsSelfFenced)
        {
            return;
        }

        string? failing = null;
        foreach (var check in _checks)
        {
            bool healthy;
            try
            {
                healthy = check.IsHealthy();
            }
            catch (Exception ex)
            {
                healthy = false;
                _log($"health check \"{check.Name}\" threw {ex.GetType().Name}: {ex.Message}; counted as unhealthy");
            }

            if (healthy)
            {
                continue;
            }

            if (check.OnFailure is { } reason)
            {
                SelfFence(reason, $"health check \"{check.Name}\" failed");
                return;
            }

            failing ??= check.Name;
        }

        lock (_feedGate)
        {
            if (_stopped || IsSelfFenced)
            {
                return;
            }

            if (failing is not null)
            {
                if (_skippingBecause is null)
                {
                    _log($"watchdog {_watchdog.Name}: not fed — health check \"{failing}\" failed; the node resets in {_watchdog.Timeout.TotalSeconds:0.#} s unless it recovers");
                }

                _skippingBecause = failing;
                return;
            }

            if (_skippingBecause is not null)
            {
                _log($"watchdog {_watchdog.Name}: feeding again — \"{_skippingBecause}\" recovered");
                _skippingBecause = null;
            }

            try
            {
                _watchdog.Keepalive();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
            {
                _log($"watchdog {_watchdog.Name}: keepalive failed: {ex.Message}");
            }
        }
    }
}

namespace HwFence.Cluster.Configuration;

/// <summary>
/// Cluster timings from the <c>timings:</c> section. Each default says where it comes from; the
/// derived bound <see cref="FailoverBudget"/> is what invariant 4 (design.md) is checked against.
/// </summary>
public sealed class TimingsOptions
{
    /// <summary>Heartbeat send interval. Default 1 s (Heartbeat's keepalive).</summary>
    public TimeSpan Keepalive { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Silence after which a path is Late. Default 5 s (Heartbeat's warntime).</summary>
    public TimeSpan Warntime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Silence after which a path is Down. Default 10 s (Heartbeat's deadtime is 30 s; 10 s with two or more independent paths).</summary>
    public TimeSpan Deadtime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Grace after boot before a silent peer may be declared dead. Default 60 s (Heartbeat's initdead, ≥ 2 × deadtime).</summary>
    public TimeSpan Initdead { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time an application gets between SIGTERM and SIGKILL. Default 10 s (systemd's TimeoutStopSec is 90 s; HA stops must be quicker).</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for one verified fence. Default 30 s (sbd's msgwait for a 15 s watchdog timeout).</summary>
    public TimeSpan FenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a HOST proposal waits for the group's acks. Default 3 s (three keepalives).</summary>
    public TimeSpan QuorumAckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a restarted node waits for its groups' digests before it acts anyway with what it has. Default 10 s (= deadtime).</summary>
    public TimeSpan ResyncTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Period of the reconcile pass that retries failed fences, failovers and failbacks. Default 2 s.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Upper bound for an application start to be observed running. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Derived: a dead primary's application runs on a backup within this (design.md invariant 4).</summary>
    public TimeSpan FailoverBudget => Deadtime + FenceTimeout + StartTimeout;
}

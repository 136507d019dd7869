namespace HwFence.Fencing.SelfFence;

/// <summary>Timing of the self-fence guard. Validate with <see cref="SelfFenceOptionsValidator"/>.</summary>
public sealed class SelfFenceOptions
{
    /// <summary>
    /// Watchdog timeout: a node that stops feeding is reset this long after its last feed. Default 5 s,
    /// sbd's SBD_WATCHDOG_TIMEOUT default; a peer must wait at least this long (plus the fence) before it
    /// may assume a self-fenced node is gone.
    /// </summary>
    public TimeSpan WatchdogTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the guard checks health and feeds. Default 1 s: a fifth of the timeout, so four late or
    /// skipped feeds (GC pause, busy box) still do not reset a healthy node.
    /// </summary>
    public TimeSpan FeedInterval { get; set; } = TimeSpan.FromSeconds(1);
}

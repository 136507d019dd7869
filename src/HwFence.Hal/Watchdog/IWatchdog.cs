namespace HwFence.Hal.Watchdog;

/// <summary>
/// A watchdog that resets the node unless it is fed in time (Linux /dev/watchdog, or the
/// <see cref="SoftwareWatchdog"/> stand-in). The self-fence guard feeds it only while the node is
/// healthy; a node that stops feeding is reset within <see cref="Timeout"/>, whatever its threads do.
/// </summary>
public interface IWatchdog : IDisposable
{
    /// <summary>The device, for messages ("/dev/watchdog", "software:/run/hwfence/watchdog.log").</summary>
    string Name { get; }

    /// <summary>The timeout the device accepted (drivers round to what the hardware supports).</summary>
    TimeSpan Timeout { get; }

    /// <summary>False once <see cref="Expired"/> happened or <see cref="Disarm"/> was called.</summary>
    bool IsArmed { get; }

    /// <summary>Restarts the countdown (WDIOC_KEEPALIVE). Throws when the watchdog was disarmed.</summary>
    void Keepalive();

    /// <summary>
    /// Clean stop: the magic close ('V' then close) tells the driver that the daemon shuts down on
    /// purpose, so the machine is not reset. Never called on a fence path.
    /// </summary>
    void Disarm();

    /// <summary>
    /// True when the countdown ran out: a hardware watchdog has reset the machine by then (so nobody
    /// reads this); the software one records it and reports it here and through its callback.
    /// </summary>
    bool Expired { get; }
}

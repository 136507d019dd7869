namespace HwFence.Hal.Power;

/// <summary>
/// A node's power switched by a relay: off, on, reboot, status — every change read back from the
/// hardware before it is reported done (fence-agents: "the agent should query the device to ensure
/// the new state has taken effect").
/// </summary>
public interface IRelay : IDisposable
{
    /// <summary>The relay device, for messages.</summary>
    string Name { get; }

    /// <summary>Cuts power and verifies; throws <see cref="RelayVerificationException"/> when the read-back disagrees.</summary>
    Task OffAsync(CancellationToken cancellationToken = default);

    /// <summary>Restores power and verifies.</summary>
    Task OnAsync(CancellationToken cancellationToken = default);

    /// <summary>Off (verified), wait the configured off time, on (verified).</summary>
    Task RebootAsync(CancellationToken cancellationToken = default);

    /// <summary>The power state read from the hardware.</summary>
    Task<PowerState> StatusAsync(CancellationToken cancellationToken = default);
}

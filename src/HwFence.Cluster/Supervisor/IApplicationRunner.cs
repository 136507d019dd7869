using HwFence.Cluster.Database;

namespace HwFence.Cluster.Supervisor;

/// <summary>
/// Starts, watches and stops application processes on this node. <see cref="ProcessSupervisor"/>
/// runs real child processes; the cluster logic sees only this interface.
/// </summary>
public interface IApplicationRunner
{
    /// <summary>Starts <paramref name="app"/>'s COMMAND (its MARKER, if any, in HWFENCE_MARKER). Throws with a clear message when it cannot.</summary>
    Task StartAsync(ApplicationObject app, CancellationToken cancellationToken = default);

    /// <summary>Stops the application (SIGTERM, grace, SIGKILL); true only when it is verified gone (or was not running).</summary>
    Task<bool> StopAsync(string tag, CancellationToken cancellationToken = default);

    bool IsRunning(string tag);

    /// <summary>Raised with (tag, reason) when an application exited more often than its restart limit: fail it over.</summary>
    event Action<string, string>? FailoverRequested;
}

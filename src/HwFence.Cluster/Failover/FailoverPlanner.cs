using HwFence.Cluster.Database;

namespace HwFence.Cluster.Failover;

/// <summary>Who takes an application over: the first available candidate (PRIMARY, then BACKUPS in order) other than the failed host.</summary>
public static class FailoverPlanner
{
    /// <param name="isAvailable">Alive, resynchronised and not reporting a missing resource for this application.</param>
    public static string? ChooseTakeover(ApplicationObject app, string failedHost, Func<string, bool> isAvailable) =>
        app.Candidates.Where(c => c != failedHost).FirstOrDefault(isAvailable);
}

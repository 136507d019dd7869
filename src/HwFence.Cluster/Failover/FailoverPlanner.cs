using HwFence.Cluster.Database;

namespace HwFence.Cluster.Failover;

/// <summary>Who takes an application over: the first available candidate (PRIMARY, then BACKUPS in order) other than the failed host.</summary>
public static class FailoverPlanner
{
    /// <summary>
    /// Walks the candidates in order and returns the first <see cref="Candidacy.Available"/> one,
    /// skipping <see cref="Candidacy.Unavailable"/> ones. An <see cref="Candidacy.Undecided"/>
    /// candidate ahead of everyone else stops the walk: nobody is chosen yet, so a later backup
    /// never overtakes an earlier one that is merely late and may still take over or decline.
    /// </summary>
    /// <returns>The node that takes over, or null when none is available or one ahead is still undecided.</returns>
    public static string? ChooseTakeover(ApplicationObject app, string failedHost, Func<string, Candidacy> candidacy)
    {
        foreach (var candidate in app.Candidates)
        {
            if (candidate == failedHost)
            {
                continue;
            }

            switch (candidacy(candidate))
            {
                case Candidacy.Available:
                    return candidate;
                case Candidacy.Undecided:
                    return null;
            }
        }

        return null;
    }
}

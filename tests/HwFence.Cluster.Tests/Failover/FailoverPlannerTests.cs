using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Failover;

namespace HwFence.Cluster.Tests.Failover;

/// <summary>Takeover order: PRIMARY then BACKUPS; unavailable candidates are skipped, an undecided one holds everyone after it.</summary>
public sealed class FailoverPlannerTests
{
    private static readonly ApplicationObject App = new()
    {
        Tag = "db",
        Group = "g1",
        Command = new CommandSpec { Argv = ["/bin/true"] },
        Host = "n1",
        Primary = "n1",
        Backups = ["n2", "n3", "n4"],
    };

    private static Func<string, Candidacy> From(params (string Node, Candidacy Candidacy)[] known) =>
        node => known.FirstOrDefault(k => k.Node == node) is { Node: not null } k ? k.Candidacy : Candidacy.Available;

    [Fact]
    public void TheFirstAvailableBackupAfterTheFailedHostTakesOver() =>
        Assert.Equal("n2", FailoverPlanner.ChooseTakeover(App, "n1", From()));

    [Fact]
    public void UnavailableCandidatesAreSkippedInOrder() =>
        Assert.Equal("n4", FailoverPlanner.ChooseTakeover(App, "n1", From(("n2", Candidacy.Unavailable), ("n3", Candidacy.Unavailable))));

    [Fact]
    public void AnUndecidedCandidateAheadHoldsTheLaterOnesBack()
    {
        Assert.Null(FailoverPlanner.ChooseTakeover(App, "n1", From(("n2", Candidacy.Undecided))));
        Assert.Null(FailoverPlanner.ChooseTakeover(App, "n1", From(("n2", Candidacy.Unavailable), ("n3", Candidacy.Undecided))));
    }

    [Fact]
    public void AnUndecidedCandidateBehindTheChosenOneDoesNotMatter() =>
        Assert.Equal("n2", FailoverPlanner.ChooseTakeover(App, "n1", From(("n3", Candidacy.Undecided))));

    [Fact]
    public void ThePrimaryIsACandidateWhenABackupHostFails() =>
        Assert.Equal("n1", FailoverPlanner.ChooseTakeover(App with { Host = "n3" }, "n3", From()));

    [Fact]
    public void NobodyAvailableIsNull() =>
        Assert.Null(FailoverPlanner.ChooseTakeover(App, "n1", _ => Candidacy.Unavailable));
}

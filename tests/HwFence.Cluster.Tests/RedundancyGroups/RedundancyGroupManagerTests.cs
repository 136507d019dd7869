using HwFence.Cluster.Configuration;
using HwFence.Cluster.Events;
using HwFence.Cluster.RedundancyGroups;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.RedundancyGroups;

public class RedundancyGroupManagerTests
{
    private readonly EventBus _events = new();
    private readonly HashSet<string> _down = new();

    private RedundancyGroupManager Create() => new(
        [new RedundancyGroupConfig("catalog", ["alpha", "beta/replica", "gamma"], ["replication-primary"]),
         new RedundancyGroupConfig("orders", ["delta"], ["replication-primary"])],
        "alpha", new FakeTimeProvider(), _events);

    private bool Up(string partition) => !_down.Contains(partition.Split('/')[0]);

    [Fact]
    public void TaskGoesToTheFirstAvailableMember()
    {
        var m = Create();
        m.Reassign(Up);
        Assert.Equal("alpha", m.HolderOf("catalog", "replication-primary"));
        Assert.Equal("delta", m.HolderOf("orders", "replication-primary"));
    }

    [Fact]
    public void TaskMovesOnFailureAndStaysWithTheNewHolderWhenTheOldReturns()
    {
        var m = Create();
        m.Reassign(Up);
        _down.Add("alpha");
        var moves = m.Reassign(Up);
        Assert.Equal(("catalog", "replication-primary", "alpha", "beta/replica"), Assert.Single(moves));
        _down.Clear();
        Assert.Empty(m.Reassign(Up)); // alpha rejoins as a subscriber
        Assert.Equal("beta/replica", m.HolderOf("catalog", "replication-primary"));
        Assert.Contains(_events.History, e => e.Kind == ClusterEventKind.TaskMoved && e.Message.Contains("from alpha to beta/replica"));
    }

    [Fact]
    public void NobodyAvailableLeavesTheTaskUnheld()
    {
        var m = Create();
        _down.UnionWith(["alpha", "beta", "gamma"]);
        m.Reassign(Up);
        Assert.Null(m.HolderOf("catalog", "replication-primary"));
    }

    [Fact]
    public void MembersCanBeAddedRemovedAndMovedAtRunTime()
    {
        var m = Create();
        m.Reassign(Up);
        m.AddMember("orders", "epsilon", position: 0);
        Assert.Equal(["epsilon", "delta"], m.Snapshot().Single(g => g.Name == "orders").Members);

        m.RemoveMember("catalog", "alpha"); // the holder leaves: the task is reassigned
        Assert.Null(m.HolderOf("catalog", "replication-primary"));
        m.Reassign(Up);
        Assert.Equal("beta/replica", m.HolderOf("catalog", "replication-primary"));

        m.MoveMember("gamma", "orders");
        Assert.Equal("orders", m.GroupOf("gamma"));
        Assert.DoesNotContain("gamma", m.Snapshot().Single(g => g.Name == "catalog").Members);
    }

    [Fact]
    public void APartitionBelongsToExactlyOneGroup()
    {
        var m = Create();
        var e = Assert.Throws<InvalidOperationException>(() => m.AddMember("orders", "alpha"));
        Assert.Contains("already belongs to redundancy group 'catalog'", e.Message);
    }

    [Fact]
    public void StateReplicatesAsAClusterRecord()
    {
        var a = Create();
        a.Reassign(Up);
        a.MoveMember("gamma", "orders");
        var b = Create();
        b.Import(a.Export("catalog"));
        b.Import(a.Export("orders"));
        Assert.Equal(a.Snapshot().Select(g => (g.Name, string.Join(",", g.Members))), b.Snapshot().Select(g => (g.Name, string.Join(",", g.Members))));
        Assert.Equal("alpha", b.HolderOf("catalog", "replication-primary"));
    }
}

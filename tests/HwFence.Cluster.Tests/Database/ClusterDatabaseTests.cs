using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;

namespace HwFence.Cluster.Tests.Database;

public class ClusterDatabaseTests
{
    internal static ApplicationObject Web(string? host = "alpha") => new()
    {
        Tag = "web", Group = "trio", Command = new CommandSpec { Argv = ["/bin/true"], Env = new Dictionary<string, string> { ["A"] = "1" } },
        Host = host, Primary = "alpha", Backups = ["beta", "gamma"], Resources = new ResourceSpec { Ports = [8080] }, Marker = "bWFyaw==",
    };

    [Fact]
    public void ApplicationObjectRoundTripsThroughTheStore()
    {
        var db = new ClusterDatabase(new InMemoryClusterStore(), 1);
        var record = db.PutApplication(Web());
        Assert.Equal(new RecordVersion(0, 1, 1), record.Version);
        var got = db.GetApplication("web")!;
        Assert.Equal("alpha", got.Host);
        Assert.Equal(["beta", "gamma"], got.Backups);
        Assert.Equal("1", got.Command.Env["A"]);
        Assert.Equal([8080], got.Resources.Ports);
        Assert.Equal("bWFyaw==", got.Marker);
        Assert.Equal(["alpha", "beta", "gamma"], got.Candidates);
    }

    [Fact]
    public void LocalUpdatesBumpTheCounterAndTermChangesBumpTheTerm()
    {
        var db = new ClusterDatabase(new InMemoryClusterStore(), 2);
        db.PutApplication(Web());
        Assert.Equal(new RecordVersion(0, 2, 2), db.PutApplication(Web("beta")).Version);
        Assert.Equal(new RecordVersion(1, 0, 2), db.PrepareTermChange(Web("gamma")).Version);
        Assert.Equal("beta", db.GetApplication("web")!.Host); // prepared, not stored
    }

    [Fact]
    public void NodeStatusAndSettingsRoundTrip()
    {
        var db = new ClusterDatabase(new InMemoryClusterStore(), 1);
        db.PutNodeStatus(new NodeStatus { Node = "alpha", Ready = true, CannotHost = new Dictionary<string, string> { ["web"] = "no disk" }, AwaitingFailback = ["db"] });
        db.PutSetting(new ClusterSetting("node-added/delta", "4"));
        var s = db.GetNodeStatus("alpha")!;
        Assert.True(s.Ready);
        Assert.Equal("no disk", s.CannotHost["web"]);
        Assert.Equal(["db"], s.AwaitingFailback);
        Assert.Equal("4", db.GetSetting("node-added/delta")!.Value);
    }
}

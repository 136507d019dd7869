using HwFence.Cluster.Configuration;
using HwFence.Cluster.Events;

namespace HwFence.Cluster.Tests.Events;

public sealed class ClusterEventsFactoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-evf-").FullName;

    [Fact]
    public void FactoryWritesTheEventLogIntoTheStateDirectory()
    {
        var config = new ClusterConfig { Name = "c", Id = 1, KeyFile = "/k", Nodes = [], StateDirectory = _dir };
        using (var bus = ClusterEventsFactory.Create(config))
        {
            bus.Publish(new ClusterEvent(DateTimeOffset.UnixEpoch, ClusterEventKind.QuorumLost, "alpha", "lost"));
        }

        var line = Assert.Single(File.ReadAllLines(Path.Combine(_dir, ClusterEventsFactory.EventLogFileName)));
        Assert.Equal(ClusterEventKind.QuorumLost, ClusterEvent.FromJson(line)!.Kind);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

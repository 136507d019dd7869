namespace HwFence.Cli.Tests.ClusterFlows;

/// <summary>
/// Every test class that starts a cluster of real node processes (the demo, HIL scenarios, the
/// operator commands, the cluster flows) runs in this one collection, one class at a time: on two
/// cores, two clusters side by side starve each other's detectors past the 600 ms deadtime, and a
/// starved host is — correctly — fenced, which is not what those tests are about.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LiveClusterCollection
{
    public const string Name = "live clusters";
}

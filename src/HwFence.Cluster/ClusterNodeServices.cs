using HwFence.Cluster.Api;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Failover;
using HwFence.Cluster.Quorum;
using HwFence.Cluster.Replication;
using HwFence.Cluster.Supervisor;

namespace HwFence.Cluster;

/// <summary>
/// Everything a <see cref="ClusterNode"/> works with. The daemon passes the real pieces (SQLite
/// store, the LAN channel, the failure detector, fence devices, the process supervisor); tests
/// pass in-process fakes for the ones that cannot exist in a unit test.
/// </summary>
public sealed class ClusterNodeServices
{
    public required ClusterConfig Config { get; init; }

    /// <summary>This node's name in <see cref="Config"/>.</summary>
    public required string NodeName { get; init; }
    public required IClusterStore Store { get; init; }
    public required IClusterMessenger Messenger { get; init; }
    public required IPeerVerdictSource Verdicts { get; init; }
    public required IFencer Fencer { get; init; }
    public required IApplicationRunner Runner { get; init; }
    public IResourceProbe ResourceProbe { get; init; } = new LocalResourceProbe();
    public IClusterEventSink Events { get; init; } = new EventBus();
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public ITieBreaker? TieBreaker { get; init; }
    public ISelfFence? SelfFence { get; init; }
    public IAwareApplicationChannel? AwareApplications { get; init; }

    /// <summary>This node's boot generation (Heartbeat's IncarnationStore in the daemon).</summary>
    public long Incarnation { get; init; } = 1;
}

using HwFence.Cluster.Failover;
using HwFence.Fencing;

namespace HwFence.Cluster.Tests.Fakes;

/// <summary>Records fence calls; succeeds unless <see cref="Fail"/> is set.</summary>
public sealed class FakeFencer : IFencer
{
    public List<(string Group, int Node)> Calls { get; } = new();
    public bool Fail { get; set; }

    public Task<FenceResult> FenceAsync(string group, int nodeId, CancellationToken cancellationToken = default)
    {
        lock (Calls)
        {
            Calls.Add((group, nodeId));
        }

        return Task.FromResult(Fail
            ? new FenceResult(false, $"fake: RESERVATION CONFLICT fencing node {nodeId}", [], ["fake-disk: conflict"])
            : new FenceResult(true, $"fake: node {nodeId} fenced", ["fake-disk"], []));
    }
}

/// <summary>A tie-breaker whose race outcome the test decides.</summary>
public sealed class FakeTieBreaker : Quorum.ITieBreaker
{
    public bool Wins { get; set; } = true;
    public int Races { get; private set; }

    public Task<bool> TryWinAsync(string group, int peerNodeId, CancellationToken cancellationToken = default)
    {
        Races++;
        return Task.FromResult(Wins);
    }
}

public sealed class FakeSelfFence : ISelfFence
{
    public List<string> Reasons { get; } = new();
    public void SelfFence(string reason) => Reasons.Add(reason);
}

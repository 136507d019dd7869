using HwFence.Cluster.Quorum;
using HwFence.Detection;

namespace HwFence.Cluster.Tests.Fakes;

/// <summary>One node's view of its peers' verdicts, set by the test as a timeline.</summary>
public sealed class FakeVerdictSource : IPeerVerdictSource
{
    private readonly Dictionary<int, Verdict> _verdicts = new();

    public event Action<int, Verdict>? VerdictChanged;

    public Verdict GetVerdict(int nodeId)
    {
        lock (_verdicts)
        {
            return _verdicts.GetValueOrDefault(nodeId, Verdict.Unknown);
        }
    }

    public void Set(int nodeId, Verdict verdict)
    {
        lock (_verdicts)
        {
            if (_verdicts.GetValueOrDefault(nodeId, Verdict.Unknown) == verdict)
            {
                return;
            }

            _verdicts[nodeId] = verdict;
        }

        VerdictChanged?.Invoke(nodeId, verdict);
    }
}

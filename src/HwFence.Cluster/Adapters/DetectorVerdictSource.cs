using HwFence.Cluster.Events;
using HwFence.Cluster.Quorum;
using HwFence.Detection;

namespace HwFence.Cluster.Adapters;

/// <summary>
/// Adapts Detection's <see cref="FailureDetector"/> to <see cref="IPeerVerdictSource"/>, and
/// forwards path changes and the detector's own alarms (stall, isolation) as cluster events so
/// the event log shows everything the cluster manager acted on. Verdict changes and partition
/// alarms are published by <see cref="ClusterNode"/> itself (it knows node names).
/// </summary>
public sealed class DetectorVerdictSource : IPeerVerdictSource, IObserver<DetectorEvent>, IDisposable
{
    private readonly FailureDetector _detector;
    private readonly IClusterEventSink? _events;
    private readonly string _nodeName;
    private readonly IDisposable _subscription;

    public DetectorVerdictSource(FailureDetector detector, string nodeName, IClusterEventSink? events = null)
    {
        _detector = detector;
        _nodeName = nodeName;
        _events = events;
        _subscription = detector.Subscribe(this);
    }

    public event Action<int, Verdict>? VerdictChanged;

    public Verdict GetVerdict(int nodeId) => _detector.GetVerdict(nodeId);

    public bool IsSilent(int nodeId) => _detector.IsSilent(nodeId);

    public void OnNext(DetectorEvent value)
    {
        switch (value.Kind)
        {
            case DetectorEventKind.VerdictChanged when value.PeerNodeId is { } peer && value.NewVerdict is { } verdict:
                VerdictChanged?.Invoke(peer, verdict);
                break;
            case DetectorEventKind.PathStateChanged:
            case DetectorEventKind.LocalPathUsabilityChanged:
                Publish(ClusterEventKind.PathChanged, value, value.OldPathState is { } o && value.NewPathState is { } n
                    ? new Dictionary<string, string> { ["previous"] = o.ToString(), ["state"] = n.ToString() }
                    : null);
                break;
            case DetectorEventKind.IsolationEntered:
            case DetectorEventKind.LocalStallDetected:
            case DetectorEventKind.DeadWithheld:
                Publish(ClusterEventKind.VerdictChanged, value, new Dictionary<string, string> { ["detector"] = value.Kind.ToString() });
                break;
        }
    }

    private void Publish(ClusterEventKind kind, DetectorEvent e, IReadOnlyDictionary<string, string>? details) =>
        _events?.Publish(new ClusterEvent(e.Time, kind, _nodeName, e.Message)
        {
            Peer = e.PeerNodeId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Path = e.Path?.ToString(),
            Details = details,
        });

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();
}

using HwFence.Cluster.Configuration;
using HwFence.Cluster.Events;
using HwFence.Detection;
using HwFence.Rig;

namespace HwFence.Cli.Node;

/// <summary>
/// Writes the node's evidence for the independent invariant checker (STATE_DIR/rig-events.jsonl):
/// detector path and verdict changes, application start/stop, fence start/completion, in the
/// <see cref="RigEvent"/> JSON-lines format the checker reads. One line per event, flushed at once.
/// </summary>
internal sealed class RigEventLogSink : IClusterEventSink, IObserver<DetectorEvent>, IDisposable
{
    private readonly int _nodeId;
    private readonly ClusterConfig _config;
    private readonly StreamWriter _writer;

    public RigEventLogSink(string path, int nodeId, ClusterConfig config, ulong incarnation, DateTimeOffset now)
    {
        _nodeId = nodeId;
        _config = config;
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Write(new RigEvent(now, nodeId, RigEventKinds.NodeStarted) { Incarnation = incarnation });
    }

    public void Publish(ClusterEvent e)
    {
        int? peer = e.Peer is null ? null : _config.FindNode(e.Peer)?.Id;
        RigEvent? r = e.Kind switch
        {
            ClusterEventKind.ApplicationStarted => new RigEvent(e.Time, _nodeId, RigEventKinds.AppStarted) { App = e.Tag },
            ClusterEventKind.ApplicationStopped or ClusterEventKind.ApplicationExited =>
                new RigEvent(e.Time, _nodeId, RigEventKinds.AppStopped) { App = e.Tag, Reason = e.Message },
            ClusterEventKind.FenceStarted => new RigEvent(e.Time, _nodeId, RigEventKinds.FenceStarted) { Peer = peer, Reason = e.Message },
            ClusterEventKind.FenceSucceeded => new RigEvent(e.Time, _nodeId, RigEventKinds.FenceCompleted) { Peer = peer, Reason = e.Message },
            _ => null,
        };
        if (r is not null)
        {
            Write(r);
        }
    }

    public void OnNext(DetectorEvent value)
    {
        if (RigEvent.FromDetectorEvent(_nodeId, value) is { } r)
        {
            Write(r);
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private void Write(RigEvent e)
    {
        lock (_writer)
        {
            _writer.WriteLine(e.ToJsonLine());
        }
    }

    public void Dispose()
    {
        lock (_writer)
        {
            _writer.Dispose();
        }
    }
}

using HwFence.Cluster.Events;

namespace HwFence.Cli.Node;

/// <summary>Writes every cluster event as one human-readable line (the daemon's stdout → journal).</summary>
internal sealed class ConsoleEventSink(Action<string> log) : IClusterEventSink
{
    public void Publish(ClusterEvent e) =>
        log($"{e.Kind}{(e.Peer is null ? "" : $" peer={e.Peer}")}{(e.Tag is null ? "" : $" app={e.Tag}")}{(e.Path is null ? "" : $" path={e.Path}")}: {e.Message}");
}

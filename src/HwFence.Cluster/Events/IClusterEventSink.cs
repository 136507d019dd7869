namespace HwFence.Cluster.Events;

/// <summary>Where cluster components report events. Implementations must not block the caller for long.</summary>
public interface IClusterEventSink
{
    void Publish(ClusterEvent e);
}

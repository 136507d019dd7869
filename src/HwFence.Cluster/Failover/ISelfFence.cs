namespace HwFence.Cluster.Failover;

/// <summary>
/// Last resort when this node must stop serving and cannot (an application that will not die after
/// losing quorum): the daemon resets the machine (watchdog, sysrq). Called at most once per node.
/// </summary>
public interface ISelfFence
{
    void SelfFence(string reason);
}

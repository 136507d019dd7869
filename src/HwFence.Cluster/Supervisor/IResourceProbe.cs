using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Supervisor;

/// <summary>Checks RESOURCES on this node before it takes an application over.</summary>
public interface IResourceProbe
{
    /// <summary>One line per missing resource ("device /dev/sdb not present"); empty when all are there.</summary>
    IReadOnlyList<string> FindMissing(ResourceSpec resources);
}

namespace HwFence.Cluster.Database;

/// <summary>The three kinds of record in the cluster database; each has its own replication scope.</summary>
public enum RecordKind : byte
{
    /// <summary>An application object; replicated to the owners of its resource group.</summary>
    Application = 1,
    /// <summary>A node's status; replicated to the node's sphere of influence.</summary>
    NodeStatus = 2,
    /// <summary>A cluster-level record (node added/removed, settings); replicated to every node.</summary>
    Cluster = 3,
}

namespace HwFence.Cluster.Database;

/// <summary>A cluster-level record: node added/removed, a cluster setting, redundancy-group membership. Replicated to every node.</summary>
public sealed record ClusterSetting(string Key, string Value);

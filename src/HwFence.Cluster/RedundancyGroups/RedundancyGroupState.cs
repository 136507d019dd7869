namespace HwFence.Cluster.RedundancyGroups;

/// <summary>One redundancy group: ordered member partitions and which member holds each task.</summary>
public sealed record RedundancyGroupState(string Name, IReadOnlyList<string> Members, IReadOnlyDictionary<string, string?> Holders);

namespace HwFence.Cluster.Replication;

/// <summary>Outcome of one proposal round: who accepted, who refused, who never answered.</summary>
public sealed record ProposeResult(IReadOnlyList<int> Accepted, IReadOnlyList<int> Refused, IReadOnlyList<int> Silent, long HighestPromisedTerm, IReadOnlyList<string> Reasons);

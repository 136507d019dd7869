using HwFence.Cluster.Database;
using HwFence.Cluster.RedundancyGroups;

namespace HwFence.Cluster.Api;

/// <summary>
/// What the operator control socket asks the node (implemented over <see cref="ClusterNode"/> by
/// <see cref="ClusterNodeControlHandler"/>). Methods return null on success, else why not; an
/// <see cref="InvalidOperationException"/> is a refusal too (its message goes to the operator).
/// </summary>
public interface IClusterControlHandler
{
    /// <summary>The node's name (replies say which node answered).</summary>
    string NodeName { get; }

    /// <summary><c>app load</c>: the registration case that applied.</summary>
    Task<string> LoadAsync(string tag, CancellationToken cancellationToken);

    Task<string?> UnloadAsync(string tag, CancellationToken cancellationToken);

    Task<string?> MoveAsync(string tag, string target, CancellationToken cancellationToken);

    string? ConfirmFailback(string tag);

    string? Add(ApplicationObject app);

    string? Remove(string tag);

    IReadOnlyList<RedundancyGroupState> RedundancyGroups();

    string? AddMember(string group, string partition, int? position);

    string? RemoveMember(string group, string partition);

    string? MoveMember(string partition, string toGroup);

    ClusterStatus Status();
}

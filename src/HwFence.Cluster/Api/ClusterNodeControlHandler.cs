using HwFence.Cluster.Database;
using HwFence.Cluster.RedundancyGroups;

namespace HwFence.Cluster.Api;

/// <summary>The control handler of a running node.</summary>
public sealed class ClusterNodeControlHandler(ClusterNode node) : IClusterControlHandler
{
    public string NodeName => node.Name;

    public async Task<string> LoadAsync(string tag, CancellationToken cancellationToken) =>
        (await node.LoadAsync(tag, cancellationToken).ConfigureAwait(false)).ToString();

    public Task<string?> UnloadAsync(string tag, CancellationToken cancellationToken) => node.UnloadAsync(tag, cancellationToken);

    public Task<string?> MoveAsync(string tag, string target, CancellationToken cancellationToken) => node.MoveAsync(tag, target, cancellationToken);

    public string? ConfirmFailback(string tag)
    {
        var status = node.GetStatus().Applications.FirstOrDefault(a => a.Tag == tag);
        if (status is null)
        {
            return $"no application '{tag}' in {node.Name}'s database";
        }

        if (status.Host != node.Name)
        {
            return $"'{tag}' is hosted by {status.Host ?? "nobody"}, not {node.Name}; confirm the failback on its host";
        }

        node.ConfirmFailback(tag);
        return null;
    }

    public string? Add(ApplicationObject app) => node.AddApplication(app);

    public string? Remove(string tag) => node.RemoveApplication(tag);

    public IReadOnlyList<RedundancyGroupState> RedundancyGroups() => node.RedundancyGroups.Snapshot();

    public string? AddMember(string group, string partition, int? position) => Try(() => node.AddRedundancyMember(group, partition, position));

    public string? RemoveMember(string group, string partition) => Try(() => node.RemoveRedundancyMember(group, partition));

    public string? MoveMember(string partition, string toGroup) => Try(() => node.MoveRedundancyMember(partition, toGroup));

    public ClusterStatus Status() => node.GetStatus();

    private static string? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return e.Message;
        }
    }
}

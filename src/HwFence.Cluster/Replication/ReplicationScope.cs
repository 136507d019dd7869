using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;

namespace HwFence.Cluster.Replication;

/// <summary>
/// Who holds which record (design.md "resource group", "sphere of influence"): an application
/// object only the owners of its group; a node's status that node and its sphere of influence
/// (every node sharing at least one group with it); a cluster-level record every node.
/// </summary>
public sealed class ReplicationScope
{
    private readonly ClusterConfig _config;
    private readonly Dictionary<string, int> _ids;

    public ReplicationScope(ClusterConfig config)
    {
        _config = config;
        _ids = config.Nodes.ToDictionary(n => n.Name, n => n.Id);
    }

    public IReadOnlyCollection<int> AllNodes => _ids.Values;

    public int IdOf(string nodeName) => _ids.TryGetValue(nodeName, out int id) ? id : throw new ArgumentException($"no node named '{nodeName}' in cluster '{_config.Name}'");

    public string NameOf(int nodeId) => _config.FindNode(nodeId)?.Name ?? $"node{nodeId}";

    /// <summary>Owner ids of a group in the group's order (empty for an unknown group).</summary>
    public IReadOnlyList<int> OwnersOf(string group) =>
        _config.FindGroup(group)?.Owners.Select(IdOf).ToList() ?? [];

    /// <summary>Groups <paramref name="nodeId"/> owns.</summary>
    public IEnumerable<ResourceGroupConfig> GroupsOf(int nodeId) =>
        _config.Groups.Where(g => g.Owners.Any(o => IdOf(o) == nodeId));

    /// <summary>Every other node sharing at least one resource group with <paramref name="nodeId"/>.</summary>
    public IReadOnlySet<int> SphereOf(int nodeId) =>
        GroupsOf(nodeId).SelectMany(g => g.Owners).Select(IdOf).Where(id => id != nodeId).ToHashSet();

    /// <summary>Every node that should hold <paramref name="record"/>.</summary>
    public IReadOnlySet<int> AudienceOf(ClusterRecord record)
    {
        switch (record.Kind)
        {
            case RecordKind.Application:
                return OwnersOf(GroupOfApplication(record)).ToHashSet();
            case RecordKind.NodeStatus:
                if (!_ids.TryGetValue(record.Key, out int id))
                {
                    return new HashSet<int>();
                }

                var set = SphereOf(id).ToHashSet();
                set.Add(id);
                return set;
            default:
                return _ids.Values.ToHashSet();
        }
    }

    public bool ShouldHold(int nodeId, ClusterRecord record) => AudienceOf(record).Contains(nodeId);

    private string GroupOfApplication(ClusterRecord record)
    {
        if (_config.FindApplication(record.Key) is { } configured)
        {
            return configured.Group;
        }

        // Registered at run time (cluster-aware via the API, or `app add`): the group is in the object.
        try
        {
            return RecordCodec.Decode<ApplicationObject>(record).Group;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            return "";
        }
    }
}

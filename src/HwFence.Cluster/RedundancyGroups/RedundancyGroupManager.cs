using System.Text.Json;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;

namespace HwFence.Cluster.RedundancyGroups;

/// <summary>
/// Redundancy groups (issue 6): partitions (a node, or "node/subset") belong to exactly one group;
/// each task (e.g. "replication-primary") goes to the first available member in order, moves to the
/// next available one when its holder fails, and stays with the new holder when the old one returns
/// (the returning member rejoins as a subscriber). Members can be added, removed and moved between
/// groups at run time. State is exported as cluster-level records ("redundancy-group/NAME") so it
/// replicates to every node and the newest membership wins after a partition.
/// </summary>
public sealed class RedundancyGroupManager
{
    public const string SettingPrefix = "redundancy-group/";

    private readonly object _gate = new();
    private readonly Dictionary<string, Group> _groups = new();
    private readonly IClusterEventSink? _events;
    private readonly TimeProvider _time;
    private readonly string _nodeName;

    public RedundancyGroupManager(IEnumerable<RedundancyGroupConfig> groups, string nodeName, TimeProvider time, IClusterEventSink? events = null)
    {
        _nodeName = nodeName;
        _time = time;
        _events = events;
        foreach (var g in groups)
        {
            var group = new Group(g.Name);
            foreach (var m in g.Members)
            {
                EnsureUnassigned(m);
                group.Members.Add(m);
            }

            foreach (var t in g.Tasks)
            {
                group.Holders[t] = null;
            }

            _groups[g.Name] = group;
        }
    }

    public IReadOnlyList<RedundancyGroupState> Snapshot()
    {
        lock (_gate)
        {
            return _groups.Values.Select(g => g.ToState()).ToList();
        }
    }

    public string? HolderOf(string group, string task)
    {
        lock (_gate)
        {
            return Get(group).Holders.GetValueOrDefault(task);
        }
    }

    /// <summary>The group a partition belongs to, or null.</summary>
    public string? GroupOf(string partition)
    {
        lock (_gate)
        {
            return _groups.Values.FirstOrDefault(g => g.Members.Contains(partition))?.Name;
        }
    }

    /// <summary>
    /// Assigns every task: a holder that is still available keeps it (sticky); otherwise the first
    /// available member in order takes it; with nobody available the task is unheld.
    /// </summary>
    /// <param name="isAvailable">Whether a partition's node is alive (detector verdict) and the partition is up.</param>
    /// <returns>The moves made, as (group, task, from, to).</returns>
    public IReadOnlyList<(string Group, string Task, string? From, string? To)> Reassign(Func<string, bool> isAvailable)
    {
        var moves = new List<(string, string, string?, string?)>();
        lock (_gate)
        {
            foreach (var g in _groups.Values)
            {
                foreach (var task in g.Holders.Keys.ToList())
                {
                    string? holder = g.Holders[task];
                    if (holder is not null && g.Members.Contains(holder) && isAvailable(holder))
                    {
                        continue;
                    }

                    string? next = g.Members.FirstOrDefault(isAvailable);
                    if (next != holder)
                    {
                        g.Holders[task] = next;
                        moves.Add((g.Name, task, holder, next));
                    }
                }
            }
        }

        foreach (var (group, task, from, to) in moves)
        {
            Publish(ClusterEventKind.TaskMoved, group, $"redundancy group '{group}': task '{task}' moved from {from ?? "(nobody)"} to {to ?? "(nobody — no member available)"}");
        }

        return moves;
    }

    /// <summary>Adds <paramref name="partition"/> to <paramref name="group"/> at <paramref name="position"/> (end when null).</summary>
    public void AddMember(string group, string partition, int? position = null)
    {
        lock (_gate)
        {
            var g = Get(group);
            EnsureUnassigned(partition);
            g.Members.Insert(Math.Clamp(position ?? g.Members.Count, 0, g.Members.Count), partition);
        }

        Publish(ClusterEventKind.MemberChanged, group, $"redundancy group '{group}': partition '{partition}' added");
    }

    /// <summary>Removes a member; tasks it held become unheld until the next <see cref="Reassign"/>.</summary>
    public void RemoveMember(string group, string partition)
    {
        lock (_gate)
        {
            var g = Get(group);
            if (!g.Members.Remove(partition))
            {
                throw new InvalidOperationException($"partition '{partition}' is not a member of redundancy group '{group}' (members: {string.Join(", ", g.Members)})");
            }

            foreach (var task in g.Holders.Where(kv => kv.Value == partition).Select(kv => kv.Key).ToList())
            {
                g.Holders[task] = null;
            }
        }

        Publish(ClusterEventKind.MemberChanged, group, $"redundancy group '{group}': partition '{partition}' removed");
    }

    /// <summary>Moves a partition to another group (it leaves its tasks behind).</summary>
    public void MoveMember(string partition, string toGroup)
    {
        string from = GroupOf(partition) ?? throw new InvalidOperationException($"partition '{partition}' belongs to no redundancy group");
        lock (_gate)
        {
            Get(toGroup);
        }

        RemoveMember(from, partition);
        AddMember(toGroup, partition);
    }

    /// <summary>A group's state as a cluster-level record value (JSON).</summary>
    public ClusterSetting Export(string group)
    {
        lock (_gate)
        {
            return new ClusterSetting(SettingPrefix + group, JsonSerializer.Serialize(Get(group).ToState()));
        }
    }

    /// <summary>Adopts a replicated group state (the store already decided it is the newest).</summary>
    public void Import(ClusterSetting setting)
    {
        if (!setting.Key.StartsWith(SettingPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var state = JsonSerializer.Deserialize<RedundancyGroupState>(setting.Value)
            ?? throw new InvalidDataException($"cluster record {setting.Key}: empty redundancy-group state");
        lock (_gate)
        {
            var g = new Group(state.Name);
            g.Members.AddRange(state.Members);
            foreach (var (task, holder) in state.Holders)
            {
                g.Holders[task] = holder;
            }

            _groups[state.Name] = g;
        }
    }

    private Group Get(string name) =>
        _groups.TryGetValue(name, out var g) ? g : throw new InvalidOperationException($"no redundancy group '{name}' (groups: {string.Join(", ", _groups.Keys)})");

    private void EnsureUnassigned(string partition)
    {
        if (_groups.Values.FirstOrDefault(g => g.Members.Contains(partition)) is { } owner)
        {
            throw new InvalidOperationException($"partition '{partition}' already belongs to redundancy group '{owner.Name}'; a partition belongs to exactly one group — use move-member");
        }
    }

    private void Publish(ClusterEventKind kind, string group, string message) =>
        _events?.Publish(new ClusterEvent(_time.GetUtcNow(), kind, _nodeName, message) { Group = group });

    private sealed class Group(string name)
    {
        public string Name { get; } = name;
        public List<string> Members { get; } = new();
        public Dictionary<string, string?> Holders { get; } = new();

        public RedundancyGroupState ToState() => new(Name, Members.ToList(), new Dictionary<string, string?>(Holders));
    }
}

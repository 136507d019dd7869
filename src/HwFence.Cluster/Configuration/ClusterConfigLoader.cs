using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HwFence.Cluster.Configuration;

/// <summary>
/// Reads and validates <c>cluster.yaml</c>. <see cref="TryLoad(string, string, out ClusterConfig?, out IReadOnlyList{ConfigError})"/>
/// is the non-throwing core: it reports every error it finds (not just the first), each with
/// file, line, column, field and why; <see cref="Load"/> is the throwing edge.
/// </summary>
public static class ClusterConfigLoader
{
    private static readonly Dictionary<string, QuorumPolicy> QuorumNames = new()
    {
        ["majority"] = QuorumPolicy.Majority,
        ["disk-tiebreak"] = QuorumPolicy.DiskTiebreak,
    };

    private static readonly Dictionary<string, ApplicationType> TypeNames = new()
    {
        ["cluster-capable"] = ApplicationType.ClusterCapable,
        ["cluster-aware"] = ApplicationType.ClusterAware,
    };

    private static readonly Dictionary<string, DrivePulseKind> PulseNames = new()
    {
        ["none"] = DrivePulseKind.None,
        ["reserve"] = DrivePulseKind.Reserve,
        ["pr-generation"] = DrivePulseKind.PrGeneration,
        ["slot"] = DrivePulseKind.Slot,
    };

    /// <summary>Fencing method kinds a group may name as "kind:argument".</summary>
    public static readonly IReadOnlyList<string> FencingKinds = ["scsi3-pr", "spc2-reserve", "power", "watchdog"];

    public static ClusterConfig Load(string path) =>
        TryLoad(path, out var config, out var errors) ? config! : throw new ConfigException(errors);

    public static bool TryLoad(string path, out ClusterConfig? config, out IReadOnlyList<ConfigError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            config = null;
            errors = [new ConfigError(path, 0, 0, "(file)", $"cannot read: {e.Message}")];
            return false;
        }

        return TryLoad(text, path, out config, out errors);
    }

    public static bool TryLoad(string yaml, string fileName, out ClusterConfig? config, out IReadOnlyList<ConfigError> errors)
    {
        var list = new ConfigErrors(fileName);
        config = null;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            list.Add((int)e.Start.Line, (int)e.Start.Column, "(syntax)", e.InnerException?.Message ?? e.Message);
            errors = list.All;
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these (without a position) on some malformed input, e.g. an unclosed '[' (found by the mutation test).
            list.Add(1, 1, "(syntax)", $"malformed YAML the parser could not place ({e.Message}); look for an unclosed [ or {{ or a stray quote");
            errors = list.All;
            return false;
        }

        if (stream.Documents.Count == 0)
        {
            list.Add(1, 1, "(document)", "the file is empty; it needs at least 'cluster:' and 'nodes:'");
            errors = list.All;
            return false;
        }

        var root = YamlMap.From(stream.Documents[0].RootNode, "", list);
        if (root is not null)
        {
            config = Read(root, fileName);
            root.RejectUnknownKeys();
        }

        errors = list.All;
        if (list.Count > 0)
        {
            config = null;
            return false;
        }

        return config is not null;
    }

    private static ClusterConfig? Read(YamlMap root, string fileName)
    {
        var errors = root.Errors;
        var clusterMap = YamlMap.From(root.Get("cluster", required: true), "cluster", errors);
        string name = clusterMap?.String("name", required: true) ?? "";
        int id = clusterMap?.Int("id", required: true, 0, 65535) ?? 0;
        string keyFile = clusterMap?.String("key_file", required: true) ?? "";
        string stateDir = clusterMap?.String("state_dir") ?? "/var/lib/hwfence";
        clusterMap?.RejectUnknownKeys();

        var nodeItems = root.Sequence("nodes", required: true);
        var nodes = new List<(NodeConfig Node, YamlNode Source)>();
        for (int i = 0; i < nodeItems.Count; i++)
        {
            if (ReadNode(YamlMap.From(nodeItems[i], $"nodes[{i}]", errors)) is { } n)
            {
                nodes.Add((n, nodeItems[i]));
            }
        }

        CheckUnique(nodes.Select(n => (n.Node.Id.ToString(), n.Source)), "nodes", "id", errors);
        CheckUnique(nodes.Select(n => (n.Node.Name, n.Source)), "nodes", "name", errors);
        var nodeNames = nodes.Select(n => n.Node.Name).ToHashSet();
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var link in nodes[i].Node.Serial)
            {
                if (!nodeNames.Contains(link.Peer) || link.Peer == nodes[i].Node.Name)
                {
                    errors.Add(nodes[i].Source, $"nodes[{i}].serial", $"peer '{link.Peer}' is not another node of this cluster{Hint(link.Peer, nodeNames)}");
                }
            }
        }

        var groupItems = root.Sequence("groups");
        var groups = new List<ResourceGroupConfig>();
        for (int i = 0; i < groupItems.Count; i++)
        {
            if (ReadGroup(YamlMap.From(groupItems[i], $"groups[{i}]", errors), nodes.Select(n => n.Node).ToList()) is { } g)
            {
                groups.Add(g);
            }
        }

        CheckUnique(groups.Select((g, i) => (g.Name, groupItems[i])), "groups", "name", errors);

        var appItems = root.Sequence("applications");
        var apps = new List<ApplicationConfig>();
        for (int i = 0; i < appItems.Count; i++)
        {
            if (ReadApplication(YamlMap.From(appItems[i], $"applications[{i}]", errors), groups) is { } a)
            {
                apps.Add(a);
            }
        }

        CheckUnique(apps.Select((a, i) => (a.Tag, appItems[i])), "applications", "tag", errors);

        var rgItems = root.Sequence("redundancy_groups");
        var redundancy = new List<RedundancyGroupConfig>();
        var partitionOwner = new Dictionary<string, string>();
        for (int i = 0; i < rgItems.Count; i++)
        {
            var m = YamlMap.From(rgItems[i], $"redundancy_groups[{i}]", errors);
            if (m is null)
            {
                continue;
            }

            string rgName = m.String("name", required: true) ?? "";
            var members = m.StringList("members", required: true);
            var tasks = m.StringList("tasks");
            foreach (var member in members)
            {
                string node = member.Split('/')[0];
                if (!nodeNames.Contains(node))
                {
                    m.Error(m.Node, m.Field("members"), $"partition '{member}' names no node of this cluster{Hint(node, nodeNames)}");
                }
                else if (!partitionOwner.TryAdd(member, rgName))
                {
                    m.Error(m.Node, m.Field("members"), $"partition '{member}' already belongs to redundancy group '{partitionOwner[member]}'; a partition belongs to exactly one group");
                }
            }

            m.RejectUnknownKeys();
            redundancy.Add(new RedundancyGroupConfig(rgName, members, tasks));
        }

        var timings = new TimingsOptions();
        if (YamlMap.From(root.Get("timings"), "timings", errors) is { } t)
        {
            timings.Keepalive = t.Duration("keepalive") ?? timings.Keepalive;
            timings.Warntime = t.Duration("warntime") ?? timings.Warntime;
            timings.Deadtime = t.Duration("deadtime") ?? timings.Deadtime;
            timings.Initdead = t.Duration("initdead") ?? timings.Initdead;
            timings.StopGrace = t.Duration("stop_grace") ?? timings.StopGrace;
            timings.FenceTimeout = t.Duration("fence_timeout") ?? timings.FenceTimeout;
            timings.QuorumAckTimeout = t.Duration("quorum_ack_timeout") ?? timings.QuorumAckTimeout;
            timings.ResyncTimeout = t.Duration("resync_timeout") ?? timings.ResyncTimeout;
            timings.ReconcileInterval = t.Duration("reconcile_interval") ?? timings.ReconcileInterval;
            timings.StartTimeout = t.Duration("start_timeout") ?? timings.StartTimeout;
            t.RejectUnknownKeys();
            foreach (var (field, message) in TimingsOptionsValidator.Validate(timings))
            {
                var at = t.Get(field) ?? t.Node;
                errors.Add(at, $"timings.{field}", message);
            }
        }

        NotificationConfig? notification = null;
        if (YamlMap.From(root.Get("notification"), "notification", errors) is { } nm)
        {
            var argv = nm.StringList("command", required: true);
            var timeout = nm.Duration("timeout") ?? TimeSpan.FromSeconds(10);
            nm.RejectUnknownKeys();
            notification = new NotificationConfig(argv, timeout);
        }

        if (nodes.Count == 0 && root.Get("nodes") is { } nodesNode)
        {
            errors.Add(nodesNode, "nodes", "a cluster needs at least one node");
        }

        return new ClusterConfig
        {
            Name = name,
            Id = id,
            KeyFile = keyFile,
            StateDirectory = stateDir,
            Nodes = nodes.Select(n => n.Node).ToList(),
            Groups = groups,
            Applications = apps,
            RedundancyGroups = redundancy,
            Timings = timings,
            Notification = notification,
            SourceFile = fileName,
        };
    }

    private static NodeConfig? ReadNode(YamlMap? m)
    {
        if (m is null)
        {
            return null;
        }

        int? id = m.Int("id", required: true, 1, 255);
        string? name = m.String("name", required: true);
        var lan = m.StringList("lan");
        var serial = new List<SerialLinkConfig>();
        var serialItems = m.Sequence("serial");
        for (int i = 0; i < serialItems.Count; i++)
        {
            if (YamlMap.From(serialItems[i], $"{m.Field("serial")}[{i}]", m.Errors) is { } s)
            {
                string? peer = s.String("peer", required: true);
                string? tty = s.String("tty", required: true);
                int baud = s.Int("baud", min: 1) ?? SerialLinkConfig.DefaultBaud;
                if (!SerialLinkConfig.SupportedBaudRates.Contains(baud))
                {
                    s.Error(s.Get("baud") ?? s.Node, s.Field("baud"), $"{baud} baud is not supported; use one of {string.Join(", ", SerialLinkConfig.SupportedBaudRates)} (the same at both ends)");
                }

                s.RejectUnknownKeys();
                if (peer is not null && tty is not null)
                {
                    serial.Add(new SerialLinkConfig(peer, tty, baud));
                }
            }
        }

        var disks = new List<SharedDiskConfig>();
        var diskItems = m.Sequence("disks");
        for (int i = 0; i < diskItems.Count; i++)
        {
            if (YamlMap.From(diskItems[i], $"{m.Field("disks")}[{i}]", m.Errors) is { } d)
            {
                string? diskName = d.String("name", required: true);
                string? address = d.String("address", required: true);
                var pulse = d.Enum("pulse", PulseNames) ?? DrivePulseKind.None;
                if (address is not null && !LooksLikeDeviceAddress(address))
                {
                    d.Error(d.Get("address")!, d.Field("address"), $"'{address}' is not a device address; use sg:/dev/sgN, /dev/sdX, \\\\.\\PhysicalDriveN, iscsi://host[:port]/<iqn>/<lun> or emu:<name>");
                }

                d.RejectUnknownKeys();
                if (diskName is not null && address is not null)
                {
                    disks.Add(new SharedDiskConfig(diskName, address, pulse));
                }
            }
        }

        if (lan.Count == 0 && serial.Count == 0 && disks.Count == 0)
        {
            m.Error(m.Node, m.Path, "a node needs at least one path (lan, serial or a disk with a pulse)");
        }

        m.RejectUnknownKeys();
        return id is null || name is null ? null : new NodeConfig { Id = id.Value, Name = name, Lan = lan, Serial = serial, Disks = disks };
    }

    private static bool LooksLikeDeviceAddress(string a) =>
        a.StartsWith("sg:", StringComparison.Ordinal) || a.StartsWith("/dev/", StringComparison.Ordinal) ||
        a.StartsWith(@"\\.\", StringComparison.Ordinal) || a.StartsWith("iscsi://", StringComparison.Ordinal) ||
        a.StartsWith("emu:", StringComparison.Ordinal);

    private static ResourceGroupConfig? ReadGroup(YamlMap? m, IReadOnlyList<NodeConfig> nodes)
    {
        if (m is null)
        {
            return null;
        }

        string? name = m.String("name", required: true);
        var owners = m.StringList("owners", required: true);
        var ownerItems = m.Sequence("owners");
        var quorum = m.Enum("quorum", QuorumNames) ?? (owners.Count == 2 ? QuorumPolicy.DiskTiebreak : QuorumPolicy.Majority);
        string? tiebreak = m.String("tiebreak_disk");
        var fencing = m.StringList("fencing");
        var nodeNames = nodes.Select(n => n.Name).ToList();
        for (int i = 0; i < owners.Count; i++)
        {
            if (!nodeNames.Contains(owners[i]))
            {
                m.Error(ownerItems[i], $"{m.Field("owners")}[{i}]", $"'{owners[i]}' is not a node of this cluster{Hint(owners[i], nodeNames)}");
            }
            else if (owners.Take(i).Contains(owners[i]))
            {
                m.Error(ownerItems[i], $"{m.Field("owners")}[{i}]", $"'{owners[i]}' is listed twice");
            }
        }

        if (quorum == QuorumPolicy.DiskTiebreak)
        {
            if (owners.Count != 2)
            {
                m.Error(m.Get("quorum") ?? m.Node, m.Field("quorum"), $"disk-tiebreak is for two-owner groups; this group has {owners.Count} owners — use majority");
            }

            if (tiebreak is null)
            {
                m.Error(m.Node, m.Field("tiebreak_disk"), "disk-tiebreak needs tiebreak_disk: the name of a shared disk both owners list under disks");
            }
            else
            {
                foreach (var owner in owners)
                {
                    if (nodes.FirstOrDefault(n => n.Name == owner) is { } n && n.Disks.All(d => d.Name != tiebreak))
                    {
                        m.Error(m.Get("tiebreak_disk")!, m.Field("tiebreak_disk"), $"node '{owner}' lists no disk named '{tiebreak}'");
                    }
                }
            }
        }
        else if (owners.Count == 2)
        {
            m.Error(m.Get("quorum")!, m.Field("quorum"), "a two-owner group under majority loses quorum whenever either owner fails; use disk-tiebreak");
        }

        if (fencing.Count == 0 && owners.Count > 1)
        {
            m.Error(m.Node, m.Field("fencing"), "a group with more than one owner needs at least one fencing method (e.g. scsi3-pr:<disk>): failover never starts before a verified fence");
        }

        var fencingNode = m.Get("fencing");
        for (int i = 0; i < fencing.Count; i++)
        {
            string kind = fencing[i].Split(':')[0];
            if (!FencingKinds.Contains(kind))
            {
                m.Error(fencingNode!, $"{m.Field("fencing")}[{i}]", $"unknown fencing method '{kind}'; expected one of {string.Join(", ", FencingKinds)}{Hint(kind, FencingKinds)}");
            }
        }

        m.RejectUnknownKeys();
        return name is null ? null : new ResourceGroupConfig { Name = name, Owners = owners, Quorum = quorum, TiebreakDisk = tiebreak, Fencing = fencing };
    }

    private static ApplicationConfig? ReadApplication(YamlMap? m, IReadOnlyList<ResourceGroupConfig> groups)
    {
        if (m is null)
        {
            return null;
        }

        string? tag = m.String("tag", required: true);
        string? groupName = m.String("group", required: true);
        var type = m.Enum("type", TypeNames) ?? ApplicationType.ClusterCapable;
        CommandSpec? command = null;
        if (YamlMap.From(m.Get("command", required: true), m.Field("command"), m.Errors) is { } c)
        {
            var argv = c.StringList("argv", required: true);
            var env = new Dictionary<string, string>();
            if (YamlMap.From(c.Get("env"), c.Field("env"), c.Errors) is { } e)
            {
                foreach (var (k, v) in ((YamlMappingNode)e.Node).Children)
                {
                    string key = ((YamlScalarNode)k).Value ?? "";
                    if (v is YamlScalarNode { Value: { } value })
                    {
                        env[key] = value;
                    }
                    else
                    {
                        c.Error(v, $"{c.Field("env")}.{key}", $"expected a text value, got {YamlMap.Describe(v)}");
                    }
                }
            }

            command = new CommandSpec { Argv = argv, Env = env, WorkDir = c.String("workdir"), User = c.String("user") };
            c.RejectUnknownKeys();
        }

        var group = groupName is null ? null : groups.FirstOrDefault(g => g.Name == groupName);
        if (groupName is not null && group is null)
        {
            m.Error(m.Get("group")!, m.Field("group"), $"no resource group named '{groupName}'{Hint(groupName, groups.Select(g => g.Name))}");
        }

        string? primary = m.String("primary") ?? group?.Owners.FirstOrDefault();
        var backupsNode = m.Get("backups");
        IReadOnlyList<string> backups = backupsNode is null ? group?.Owners.Where(o => o != primary).ToList() ?? [] : m.StringList("backups");
        if (group is not null)
        {
            if (primary is not null && !group.Owners.Contains(primary))
            {
                m.Error(m.Get("primary") ?? m.Node, m.Field("primary"), $"'{primary}' is not an owner of group '{group.Name}' (owners: {string.Join(", ", group.Owners)})");
            }

            for (int i = 0; i < backups.Count; i++)
            {
                if (!group.Owners.Contains(backups[i]))
                {
                    m.Error(BackupItem(m, i), $"{m.Field("backups")}[{i}]", $"'{backups[i]}' is not an owner of group '{group.Name}' (owners: {string.Join(", ", group.Owners)})");
                }
                else if (backups[i] == primary)
                {
                    m.Error(BackupItem(m, i), $"{m.Field("backups")}[{i}]", $"'{backups[i]}' is the primary; a backup must be another owner");
                }
            }
        }

        var resources = ResourceSpec.None;
        if (YamlMap.From(m.Get("resources"), m.Field("resources"), m.Errors) is { } r)
        {
            var portsNode = r.Sequence("ports");
            var ports = new List<int>();
            for (int i = 0; i < portsNode.Count; i++)
            {
                if (portsNode[i] is YamlScalarNode { Value: { } p } && int.TryParse(p, out int port) && port is > 0 and < 65536)
                {
                    ports.Add(port);
                }
                else
                {
                    r.Error(portsNode[i], $"{r.Field("ports")}[{i}]", $"expected a TCP port 1–65535, got {YamlMap.Describe(portsNode[i])}");
                }
            }

            resources = new ResourceSpec { Devices = r.StringList("devices"), Ports = ports, Files = r.StringList("files") };
            r.RejectUnknownKeys();
        }

        bool autoFailback = m.Bool("auto_failback") ?? true;
        int restartLimit = m.Int("restart_limit", min: 0, max: 100) ?? 3;
        m.RejectUnknownKeys();
        if (tag is null || groupName is null || command is null || primary is null)
        {
            return null;
        }

        return new ApplicationConfig
        {
            Tag = tag, Group = groupName, Type = type, Command = command, Primary = primary, Backups = backups,
            Resources = resources, AutoFailback = autoFailback, RestartLimit = restartLimit,
        };
    }

    private static YamlNode BackupItem(YamlMap m, int i) => m.Get("backups") is YamlSequenceNode seq && i < seq.Children.Count ? seq.Children[i] : m.Node;

    private static void CheckUnique(IEnumerable<(string Key, YamlNode Source)> items, string list, string field, ConfigErrors errors)
    {
        var seen = new HashSet<string>();
        foreach (var (key, source) in items)
        {
            if (!seen.Add(key))
            {
                errors.Add(source, $"{list}.{field}", $"'{key}' is used twice; each {field} must be unique");
            }
        }
    }

    private static string Hint(string value, IEnumerable<string> known) =>
        DidYouMean.Suggest(value, known) is { } s ? $" (did you mean '{s}'?)" : "";
}

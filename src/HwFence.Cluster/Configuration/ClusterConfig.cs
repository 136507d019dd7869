namespace HwFence.Cluster.Configuration;

/// <summary>
/// The whole <c>cluster.yaml</c>, shared by every node. Built only by <see cref="ClusterConfigLoader"/>,
/// which validates it (names, references, timings) and records where each item came from.
/// </summary>
public sealed class ClusterConfig
{
    /// <summary>Human name of the cluster, used in events and notifications.</summary>
    public required string Name { get; init; }

    /// <summary>Cluster id (0–65535): part of every registration key and heartbeat frame.</summary>
    public required int Id { get; init; }

    /// <summary>File holding the shared secret that authenticates heartbeat and replication frames.</summary>
    public required string KeyFile { get; init; }

    /// <summary>Directory for the node's cluster database, event log and application logs.</summary>
    public string StateDirectory { get; init; } = "/var/lib/hwfence";

    public required IReadOnlyList<NodeConfig> Nodes { get; init; }
    public IReadOnlyList<ResourceGroupConfig> Groups { get; init; } = [];
    public IReadOnlyList<ApplicationConfig> Applications { get; init; } = [];
    public IReadOnlyList<RedundancyGroupConfig> RedundancyGroups { get; init; } = [];
    public TimingsOptions Timings { get; init; } = new();

    /// <summary>Optional alert command run for every event (Pacemaker alert-agent style).</summary>
    public NotificationConfig? Notification { get; init; }

    /// <summary>The file it was read from (for messages).</summary>
    public string SourceFile { get; init; } = "<memory>";

    public NodeConfig? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);
    public NodeConfig? FindNode(int id) => Nodes.FirstOrDefault(n => n.Id == id);
    public ResourceGroupConfig? FindGroup(string name) => Groups.FirstOrDefault(g => g.Name == name);
    public ApplicationConfig? FindApplication(string tag) => Applications.FirstOrDefault(a => a.Tag == tag);
}

/// <summary>One server running the HwFence daemon.</summary>
public sealed record NodeConfig
{
    /// <summary>Small integer node id (1–255): registration keys and frames carry it.</summary>
    public required int Id { get; init; }
    public required string Name { get; init; }

    /// <summary>LAN addresses (host:port) on which this node sends and receives heartbeats and replication.</summary>
    public IReadOnlyList<string> Lan { get; init; } = [];
    public IReadOnlyList<SerialLinkConfig> Serial { get; init; } = [];
    public IReadOnlyList<SharedDiskConfig> Disks { get; init; } = [];
}

/// <summary>A serial cable from this node to exactly one peer.</summary>
/// <summary>A serial cable to one peer.</summary>
/// <param name="Peer">The node at the other end.</param>
/// <param name="Tty">This node's end, e.g. /dev/ttyS1 or /dev/ttyUSB0.</param>
/// <param name="Baud">
/// Line speed, the same at both ends. Default 115200 8N1: a heartbeat frame (under 100 bytes with
/// COBS and CRC-32C) takes under 9 ms, far inside a 100 ms keepalive, and every 16550 UART and
/// USB-serial adapter supports it. 19200 still fits one frame per 100 ms (about 50 ms on the wire).
/// </param>
public sealed record SerialLinkConfig(string Peer, string Tty, int Baud = SerialLinkConfig.DefaultBaud)
{
    public const int DefaultBaud = 115200;

    /// <summary>The rates the termios binding sets (HwFence.Hal SerialPortSettingsValidator).</summary>
    public static readonly IReadOnlyList<int> SupportedBaudRates = HwFence.Hal.Serial.SerialPortSettingsValidator.SupportedBaudRates;
}

/// <summary>How a node signals liveness on a shared disk (design.md "drive pulse").</summary>
public enum DrivePulseKind
{
    /// <summary>No drive pulse on this disk (fencing only).</summary>
    None,
    /// <summary>SPC-2 RESERVE/RELEASE toggling, seen by the peer as TEST UNIT READY flipping.</summary>
    Reserve,
    /// <summary>SCSI-3 PR generation that keeps moving.</summary>
    PrGeneration,
    /// <summary>sbd-style slot counter written to a reserved block.</summary>
    Slot,
}

/// <summary>A shared disk as this node addresses it (sg:/dev/sg3, iscsi://…, emu:name).</summary>
public sealed record SharedDiskConfig(string Name, string Address, DrivePulseKind Pulse);

/// <summary>How a resource group decides it may keep serving.</summary>
public enum QuorumPolicy
{
    /// <summary>More than half of the group's owners reachable (counting this node).</summary>
    Majority,
    /// <summary>Two-owner groups: the peer reachable, or this node won the preempt race on the group's disk.</summary>
    DiskTiebreak,
}

/// <summary>An ordered set of owners that may run the group's applications, with its quorum and fencing.</summary>
public sealed record ResourceGroupConfig
{
    public required string Name { get; init; }

    /// <summary>Owner node names in order of preference.</summary>
    public required IReadOnlyList<string> Owners { get; init; }
    public QuorumPolicy Quorum { get; init; } = QuorumPolicy.Majority;

    /// <summary>For <see cref="QuorumPolicy.DiskTiebreak"/>: the shared disk (by name) whose preempt race decides.</summary>
    public string? TiebreakDisk { get; init; }

    /// <summary>Fencing methods tried in order, e.g. "scsi3-pr:shared0", "power:relay1".</summary>
    public IReadOnlyList<string> Fencing { get; init; } = [];
}

/// <summary>cluster-capable: started and stopped by HwFence; cluster-aware: talks to HwFence through the API.</summary>
public enum ApplicationType
{
    ClusterCapable,
    ClusterAware,
}

/// <summary>How to run an application: argv, environment, working directory and optional user.</summary>
public sealed record CommandSpec
{
    public required IReadOnlyList<string> Argv { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? WorkDir { get; init; }
    public string? User { get; init; }
}

/// <summary>What a node must have locally before it may host the application.</summary>
public sealed record ResourceSpec
{
    /// <summary>Device paths that must exist (e.g. /dev/sdb, /dev/ttyS1).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>TCP ports on which nothing may already listen.</summary>
    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary>Files that must exist.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    public static ResourceSpec None { get; } = new();
}

/// <summary>One clustered application (design.md "application object", config side).</summary>
public sealed record ApplicationConfig
{
    public required string Tag { get; init; }
    public required string Group { get; init; }
    public ApplicationType Type { get; init; } = ApplicationType.ClusterCapable;
    public required CommandSpec Command { get; init; }

    /// <summary>Preferred host; defaults to the group's first owner.</summary>
    public required string Primary { get; init; }

    /// <summary>Backups in order; defaults to the group's other owners in order.</summary>
    public required IReadOnlyList<string> Backups { get; init; }
    public ResourceSpec Resources { get; init; } = ResourceSpec.None;

    /// <summary>Move back to the primary automatically when it returns (false: operator confirms with <c>app failback</c>).</summary>
    public bool AutoFailback { get; init; } = true;

    /// <summary>In-place restarts after an exit before the supervisor asks for a failover. Default 3 (systemd's StartLimitBurst is 5; 3 keeps failover prompt).</summary>
    public int RestartLimit { get; init; } = 3;
}

/// <summary>A redundancy group: ordered member partitions ("node" or "node/subset") and its tasks.</summary>
public sealed record RedundancyGroupConfig(string Name, IReadOnlyList<string> Members, IReadOnlyList<string> Tasks);

/// <summary>Alert command run for every event with the event as environment variables and JSON on stdin.</summary>
public sealed record NotificationConfig(IReadOnlyList<string> Argv, TimeSpan Timeout);

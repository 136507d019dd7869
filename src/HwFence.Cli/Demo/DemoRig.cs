using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;
using HwFence.Hal.Serial;
using HwFence.Heartbeat.DrivePulse;
using HwFence.Heartbeat.Security;
using HwFence.Rig;
using HwFence.Scsi;

namespace HwFence.Cli.Demo;

/// <summary>
/// The emulated rig of <c>hwfence demo</c>: a working directory, the cluster key, the HwFence
/// emulator served over iSCSI on 127.0.0.1, pseudo-terminal null-modem cables between every pair
/// of nodes, loopback UDP ports, a cluster.yaml, and N node processes. Dispose removes all of it.
/// </summary>
internal sealed class DemoRig : IAsyncDisposable
{
    public const string AppTag = "ledger";
    public const long DiskBytes = 64L << 20;

    private readonly List<NullModemCable> _cables = new();
    private readonly RigFaultLog _faults;
    private EmulatedDisk? _disk;
    private IscsiTargetServer? _server;

    private static int s_rigs;
    private DemoRigExtras _extras = new();

    private DemoRig(string workDir, int nodeCount, bool keep)
    {
        WorkDir = workDir;
        Keep = keep;
        NodeCount = nodeCount;
        _faults = new RigFaultLog(Path.Combine(workDir, RigFaultLog.FileName));
    }

    public string WorkDir { get; }
    public bool Keep { get; }
    public int NodeCount { get; }
    public string ConfigPath => Path.Combine(WorkDir, "cluster.yaml");
    public string DiskAddress { get; private set; } = "";
    public List<NodeProcess> Nodes { get; } = new();
    public EmulatedDisk Disk => _disk!;
    public IReadOnlyList<NullModemCable> Cables => _cables;

    /// <summary>The two node ids each cable of <see cref="Cables"/> joins (same index).</summary>
    public IReadOnlyList<(int A, int B)> CableEnds => _cableEnds;

    private readonly List<(int A, int B)> _cableEnds = new();

    /// <summary>The loopback UDP port of each node's LAN path, index id - 1 (hwfence hil cuts them).</summary>
    public IReadOnlyList<int> LanPorts { get; private set; } = [];

    public string StateDir(int id) => Path.Combine(WorkDir, $"n{id}");
    public string AckLog(int id) => Path.Combine(WorkDir, $"acks-n{id}.jsonl");

    public static Task<DemoRig> CreateAsync(int nodeCount, bool keep, CancellationToken ct) =>
        CreateAsync(nodeCount, keep, Path.Combine(Path.GetTempPath(), $"hwfence-demo-{Environment.ProcessId}"), ct);

    /// <summary>As <see cref="CreateAsync(int, bool, CancellationToken)"/> in a chosen working directory (hwfence hil: one per run).</summary>
    public static async Task<DemoRig> CreateAsync(int nodeCount, bool keep, string dir, CancellationToken ct, DemoRigExtras? extras = null)
    {
        Directory.CreateDirectory(dir);
        var rig = new DemoRig(dir, nodeCount, keep) { _extras = extras ?? new DemoRigExtras() };
        await rig.SetUpAsync(ct);
        return rig;
    }

    private async Task SetUpAsync(CancellationToken ct)
    {
        string keyFile = Path.Combine(WorkDir, "cluster.key");
        ClusterKey.Generate(keyFile);

        _disk = EmulatedDisk.Open(Path.Combine(WorkDir, "shared0.img"), DiskBytes, name: $"demo{Environment.ProcessId}-{Interlocked.Increment(ref s_rigs)}");
        _server = _disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        DiskAddress = _server.UrlFor(0);

        // sbd-style slots for the drive pulse, written before any node starts.
        await using (var admin = new ScsiDevice(_disk.Connect("iqn.2026-01.org.hwfence:demo-admin")))
        {
            await admin.ClearUnitAttentionsAsync(ct);
            var cap = await admin.ReadCapacityAsync(ct);
            await DiskSlotLayout.InitializeAsync(admin, Node.NodeHost.SlotAreaLba,
                new DiskSlotHeader(DemoClusterId, 8, (int)cap.BlockLength, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(900)), force: true, ct);
        }

        var serial = new Dictionary<int, List<(int Peer, string Tty)>>();
        for (int a = 1; a <= NodeCount; a++)
        {
            serial[a] = new();
        }

        for (int a = 1; a <= NodeCount; a++)
        {
            for (int b = a + 1; b <= NodeCount; b++)
            {
                var cable = NullModemCable.Create(seed: a * 10 + b);
                _cables.Add(cable);
                _cableEnds.Add((a, b));
                serial[a].Add((b, cable.PathA));
                serial[b].Add((a, cable.PathB));
            }
        }

        var ports = Enumerable.Range(0, NodeCount).Select(_ => FreeUdpPort()).ToArray();
        LanPorts = ports;
        File.WriteAllText(ConfigPath, ConfigYaml(keyFile, ports, serial));
        for (int id = 1; id <= NodeCount; id++)
        {
            Directory.CreateDirectory(StateDir(id));
            Nodes.Add(new NodeProcess($"n{id}", id, ConfigPath, StateDir(id), Path.Combine(WorkDir, $"n{id}.log"))
            {
                ExitedOnItsOwn = (n, at) => RecordFault(n.Id, RigFaults.Exited, at),
            });
        }
    }

    public const int DemoClusterId = 7;

    private string ConfigYaml(string keyFile, int[] ports, Dictionary<int, List<(int Peer, string Tty)>> serial)
    {
        var y = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        y.AppendLine("# Written by `hwfence demo`: three nodes on one machine, each a separate process.");
        y.AppendLine("cluster:");
        y.AppendLine("  name: demo");
        y.AppendLine(inv, $"  id: {DemoClusterId}");
        y.AppendLine(inv, $"  key_file: {keyFile}");
        y.AppendLine(inv, $"  state_dir: {WorkDir}");
        y.AppendLine("nodes:");
        for (int id = 1; id <= NodeCount; id++)
        {
            y.AppendLine(inv, $"  - id: {id}");
            y.AppendLine(inv, $"    name: n{id}");
            y.AppendLine(inv, $"    lan: [127.0.0.1:{ports[id - 1]}]");
            y.AppendLine("    serial:");
            foreach (var (peer, tty) in serial[id])
            {
                y.AppendLine(inv, $"      - {{ peer: n{peer}, tty: {tty} }}");
            }

            y.AppendLine("    disks:");
            y.AppendLine(inv, $"      - {{ name: shared0, address: \"{DiskAddress}\", pulse: slot }}");
        }

        string owners = string.Join(", ", Enumerable.Range(1, NodeCount).Select(i => $"n{i}"));
        string backups = string.Join(", ", Enumerable.Range(2, NodeCount - 1).Select(i => $"n{i}"));
        string dll = typeof(DemoRig).Assembly.Location;
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        y.AppendLine("groups:");
        y.AppendLine(inv, $"  - {{ name: g1, owners: [{owners}], quorum: majority, fencing: [\"scsi3-pr:shared0\"] }}");
        y.Append(Extra(_extras.Groups));
        y.AppendLine("applications:");
        y.AppendLine(inv, $"  - tag: {AppTag}");
        y.AppendLine("    group: g1");
        y.AppendLine("    type: cluster-capable");
        y.AppendLine("    command:");
        y.AppendLine(inv, $"      argv: [\"{dotnet}\", \"{dll}\", demo-app, --device, \"{DiskAddress}\", --ack-log, \"{Path.Combine(WorkDir, "acks-{node}.jsonl")}\"]");
        y.AppendLine("    primary: n1");
        y.AppendLine(inv, $"    backups: [{backups}]");
        y.AppendLine("    auto_failback: true");
        y.Append(Extra(_extras.Applications));
        y.Append(Extra(_extras.Sections));
        y.AppendLine("timings:");
        y.AppendLine("  keepalive: 100ms");
        var (warntime, deadtime) = _extras.DetectorTimings ?? (TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(600));
        y.AppendLine(inv, $"  warntime: {warntime.TotalMilliseconds:0}ms");
        y.AppendLine(inv, $"  deadtime: {deadtime.TotalMilliseconds:0}ms");
        y.AppendLine("  initdead: 3s");
        y.AppendLine("  stop_grace: 2s");
        y.AppendLine("  fence_timeout: 5s");
        y.AppendLine("  quorum_ack_timeout: 500ms");
        y.AppendLine("  resync_timeout: 2s");
        y.AppendLine("  reconcile_interval: 200ms");
        y.AppendLine("  start_timeout: 10s");
        return y.ToString();
    }

    private string Extra(string yaml) =>
        yaml.Length == 0 ? "" : yaml.Replace("{work}", WorkDir, StringComparison.Ordinal).TrimEnd('\n') + "\n";

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>
    /// Ends the run: records the shutdown of every node first (so that a node which outlives a
    /// stopped peer by a moment and fails over from it is not mistaken for a false failover), then
    /// stops all of them at once (SIGTERM, grace, SIGKILL).
    /// </summary>
    public void StopAll(TimeSpan grace)
    {
        var at = DateTimeOffset.UtcNow;
        foreach (var n in Nodes.Where(n => n.IsRunning))
        {
            RecordFault(n.Id, RigFaults.Shutdown, at);
        }

        Parallel.ForEach(Nodes, n => n.Stop(grace));
    }

    /// <summary>Records what the rig did to a node (or saw happen to it), for the independent checker.</summary>
    public void RecordFault(int node, string fault, DateTimeOffset at) => _faults.Record(node, fault, at);

    public IEnumerable<string> EvidencePaths() =>
        Enumerable.Range(1, NodeCount).Select(i => Path.Combine(StateDir(i), "rig-events.jsonl")).Where(File.Exists)
            .Append(_faults.Path);

    public IEnumerable<string> AckPaths() => Enumerable.Range(1, NodeCount).Select(AckLog).Where(File.Exists);

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes)
        {
            n.Dispose();
        }

        foreach (var c in _cables)
        {
            c.Dispose();
        }

        _faults.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }

        if (!Keep)
        {
            try
            {
                Directory.Delete(WorkDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

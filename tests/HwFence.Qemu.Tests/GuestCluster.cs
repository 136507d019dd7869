using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;
using HwFence.Heartbeat.Security;
using HwFence.Rig;
using HwFence.Scsi;

namespace HwFence.Qemu.Tests;

/// <summary>
/// A whole HwFence cluster in QEMU guests: each guest is a node running <c>hwfence node run</c>, with
/// the shared disk at /dev/sg0 (the HwFence emulator on this host, through QEMU's iSCSI initiator, so
/// the node's SCSI goes through SG_IO and the guest kernel's SCSI stack), a LAN between the guests
/// (a second NIC, eth1 at 192.168.77.N, on a QEMU UDP socket netdev that <see cref="CutLanAsync"/> takes down
/// with the monitor's <c>set_link</c>), a serial null-modem cable between their 16550 UARTs (/dev/ttyS1), and
/// a writable 9p share of <see cref="WorkDir"/> at /tmp/work in every guest for the cluster.yaml, the key, the
/// nodes' state directories and the application's ack logs — like a node's local disk, it keeps what a
/// killed guest wrote. The clustered application is <c>hwfence demo-app</c> writing records to the shared
/// disk. The rig logs every fault it injects (rig-faults.jsonl, host clock; guest clocks are set from
/// the host clock at boot) and <see cref="CheckAsync"/> hands everything to the HIL runner's independent
/// <see cref="InvariantChecker"/>.
/// </summary>
public sealed class GuestCluster : IAsyncDisposable
{
    public const string AppTag = "ledger";
    public const int ClusterId = 7;
    public const long DiskBytes = 64L * 1024 * 1024;
    private const string GuestWork = "/tmp/work";
    private const string LanNetdev = "lan1";

    /// <summary>
    /// Timings for TCG guests (no KVM here: every guest instruction is emulated, a .NET daemon starts in
    /// seconds, not milliseconds). Deadtime 3 s is 12 keepalives; initdead covers both daemons starting.
    /// </summary>
    public static readonly string Timings = """
        timings:
          keepalive: 250ms
          warntime: 1500ms
          deadtime: 3s
          initdead: 30s
          stop_grace: 3s
          fence_timeout: 10s
          quorum_ack_timeout: 2s
          resync_timeout: 10s
          reconcile_interval: 500ms
          start_timeout: 60s
        """;

    private readonly List<QemuGuest> _guests = new();
    private readonly List<SerialCableRelay> _cables = new();
    private readonly RigFaultLog _faults;
    private readonly Dictionary<int, int> _nodePids = new();
    private readonly Action<string> _log;
    private EmulatedDisk? _disk;
    private IscsiTargetServer? _server;

    private GuestCluster(string workDir, int nodeCount, Action<string> log)
    {
        WorkDir = workDir;
        NodeCount = nodeCount;
        _log = log;
        _faults = new RigFaultLog(Path.Combine(workDir, RigFaultLog.FileName));
    }

    /// <summary>The host directory every guest sees at /tmp/work (read-write).</summary>
    public string WorkDir { get; }

    public int NodeCount { get; }

    /// <summary>Guest of node id <paramref name="id"/> (1-based).</summary>
    public QemuGuest Guest(int id) => _guests[id - 1];

    /// <summary>Largest difference between a guest's clock and this host's, measured after setting it (half the agent's round trip included).</summary>
    /// <remarks>Grows when a resumed guest's clock could only be set less precisely.</remarks>
    public TimeSpan ClockError { get; private set; }

    /// <summary>Slack for comparing host and guest timestamps: the clock error plus 50 ms of logging delay.</summary>
    public TimeSpan CheckerTolerance() => ClockError + TimeSpan.FromMilliseconds(50);

    /// <summary>Where node <paramref name="id"/>'s event logs land on this host.</summary>
    public string StateDir(int id) => Path.Combine(WorkDir, $"n{id}");

    /// <summary>Boots <paramref name="nodeCount"/> guests wired as described above and writes the cluster.yaml; the node daemons are not started yet.</summary>
    public static async Task<GuestCluster> CreateAsync(int nodeCount, Action<string> log)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"hwfence-qc-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(dir);
        var cluster = new GuestCluster(dir, nodeCount, log);
        try
        {
            await cluster.SetUpAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        ClusterKey.Generate(Path.Combine(WorkDir, "cluster.key"));
        _disk = EmulatedDisk.CreateInMemory(DiskBytes, $"qc-{Guid.NewGuid():N}"[..11]);
        _server = _disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        string url = _server.UrlFor(0);

        // A point-to-point LAN of two guests: each NIC's frames go as UDP datagrams to the other's port.
        if (NodeCount != 2)
        {
            throw new ArgumentOutOfRangeException(nameof(NodeCount), "the guest LAN is a point-to-point UDP netdev: two guests");
        }

        int[] ports = [FreeUdpPort(), FreeUdpPort()];
        var boots = new List<Task<QemuGuest>>();
        for (int id = 1; id <= NodeCount; id++)
        {
            int peerPort = ports[2 - id];
            string[] extra =
            [
                .. QemuGuest.TargetOnlyNetwork(_server.LocalEndPoint.Port), // eth0 (unused here: keeps the LAN on eth1)
                "-netdev", $"socket,id={LanNetdev},udp=127.0.0.1:{peerPort},localaddr=127.0.0.1:{ports[id - 1]}",
                "-device", $"virtio-net-pci,netdev={LanNetdev},mac=52:54:00:77:00:0{id}",
                "-fsdev", $"local,id=work,path={WorkDir},security_model=none",
                "-device", "virtio-9p-pci,fsdev=work,mount_tag=work",
            ];
            boots.Add(QemuGuest.BootAsync($"n{id}", $"iqn.2026-01.org.hwfence:qc-n{id}", url, TimeSpan.FromSeconds(120), extra, $"hwfence.ip={LanAddress(id)}"));
        }

        try
        {
            await Task.WhenAll(boots);
        }
        finally
        {
            foreach (var boot in boots.Where(b => b.IsCompletedSuccessfully))
            {
                _guests.Add(boot.Result);
            }
        }

        _cables.Add(await SerialCableRelay.ConnectAsync(Guest(1).CablePath, Guest(2).CablePath));
        TimeSpan worst = TimeSpan.Zero;
        foreach (var guest in _guests)
        {
            await RunOkAsync(guest, $"mkdir -p {GuestWork} && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 work {GuestWork}");
            TimeSpan error = await SetClockAsync(guest);
            worst = error > worst ? error : worst;
        }

        ClockError = worst;
        _log($"guests booted in {string.Join(", ", _guests.Select(g => $"{g.Name} {g.BootTime.TotalSeconds:0.0} s"))}; guest clocks within {worst.TotalMilliseconds:0} ms of the host's");

        // The disk-slot area of the drive pulse, written by one node through SG_IO (as an operator would).
        await RunOkAsync(Guest(1), $"{Hwfence} disk init /dev/sg0 --cluster-id {ClusterId:x} --slots 8 --lba 8 --interval 0.25 --deadtime 3 --force", TimeSpan.FromSeconds(90));
        File.WriteAllText(Path.Combine(WorkDir, "cluster.yaml"), ConfigYaml());
    }

    /// <summary>`dotnet …/hwfence.dll` as the guests see it (the host's root is the guest's, read-only).</summary>
    public static string Hwfence => TwoGuestClusterFixture.GuestHwfence;

    public static string LanAddress(int id) => $"192.168.77.{id}";

    private string ConfigYaml()
    {
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        string dll = TwoGuestClusterFixture.GuestPath(Path.Combine(AppContext.BaseDirectory, "hwfence.dll"));
        string nodes = string.Concat(Enumerable.Range(1, NodeCount).Select(id => $$"""
              - id: {{id}}
                name: n{{id}}
                lan: [{{LanAddress(id)}}:7400]
                serial: [{ peer: n{{3 - id}}, tty: /dev/ttyS1, baud: 115200 }]
                disks: [{ name: shared0, address: /dev/sg0, pulse: slot }]

            """));
        return $$"""
            # Written by the QEMU cluster test: two guests, SG_IO on the shared disk, LAN on eth1, serial on ttyS1.
            cluster:
              name: qemu
              id: {{ClusterId}}
              key_file: {{GuestWork}}/cluster.key
              state_dir: {{GuestWork}}
            nodes:
            {{nodes}}groups:
              - { name: g1, owners: [n1, n2], quorum: disk-tiebreak, tiebreak_disk: shared0, fencing: ["scsi3-pr:shared0"] }
            applications:
              - tag: {{AppTag}}
                group: g1
                type: cluster-capable
                command:
                  argv: ["{{dotnet}}", "{{dll}}", demo-app, --device, /dev/sg0, --ack-log, "{{GuestWork}}/acks-{node}.jsonl", --interval-ms, "50"]
                  env: { DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" }
                primary: n1
                backups: [n2]
                auto_failback: true
            {{Timings}}

            """;
    }

    /// <summary>Starts <c>hwfence node run</c> in node <paramref name="id"/>'s guest, in the background; its output goes to nN.log in the work dir.</summary>
    public async Task StartNodeAsync(int id)
    {
        // The state directory is guest-local (tmpfs): SQLite's database cannot live on 9p (disk I/O error
        // from its locking). The event logs in it are links to the share, so they outlive a killed guest.
        Directory.CreateDirectory(StateDir(id));
        string state = $"/tmp/state/n{id}";
        var r = await RunOkAsync(Guest(id),
            $"mkdir -p {state} && ln -sf {GuestWork}/n{id}/rig-events.jsonl {GuestWork}/n{id}/events.jsonl {state}/ && " +
            $"nohup {Hwfence} node run -c {GuestWork}/cluster.yaml -n n{id} --state-dir {state} >> {GuestWork}/n{id}.log 2>&1 </dev/null & echo $!");
        _nodePids[id] = int.Parse(r.Output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        _log($"n{id}: hwfence node run started in the guest (pid {_nodePids[id]})");
    }

    /// <summary>Is node <paramref name="id"/>'s daemon process still running in its guest?</summary>
    public async Task<bool> NodeRunningAsync(int id) =>
        _nodePids.TryGetValue(id, out int pid) && (await Guest(id).RunAsync($"kill -0 {pid}")).ExitCode == 0;

    /// <summary>The application's processes in node <paramref name="id"/>'s guest (pids of demo-app), empty when none runs.</summary>
    public async Task<string> AppProcessesAsync(int id) =>
        (await Guest(id).RunAsync("for p in /proc/[0-9]*; do grep -qa demo-app $p/cmdline 2>/dev/null && echo ${p#/proc/}; done; true")).Output.Trim();

    /// <summary>Node <paramref name="id"/>'s event log as the checker reads it.</summary>
    public List<RigEvent> Events(int id)
    {
        string path = Path.Combine(StateDir(id), "rig-events.jsonl");
        if (!File.Exists(path))
        {
            return [];
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        // A line still being written is incomplete: ignore parse errors here (the checker reports them at the end).
        return RigEvent.ReadAll(reader, path).Events;
    }

    /// <summary>Records acknowledged by node <paramref name="id"/>'s application.</summary>
    public int Acks(int id)
    {
        string path = Path.Combine(WorkDir, $"acks-n{id}.jsonl");
        if (!File.Exists(path))
        {
            return 0;
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        int n = 0;
        while (reader.ReadLine() is not null)
        {
            n++;
        }

        return n;
    }

    /// <summary>Waits until node <paramref name="id"/> logged an event matching <paramref name="match"/> at or after <paramref name="since"/> (guest clock).</summary>
    public async Task<RigEvent> WaitForEventAsync(int id, Func<RigEvent, bool> match, DateTimeOffset since, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Events(id).FirstOrDefault(e => e.Time >= since && match(e)) is { } found)
            {
                return found;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"n{id} did not log {what} within {timeout.TotalSeconds:0} s.\n{Diagnostics()}");
    }

    /// <summary>Waits until the application runs on node <paramref name="id"/> and has acknowledged <paramref name="acks"/> more records.</summary>
    public async Task WaitForAcksAsync(int id, int acks, TimeSpan timeout)
    {
        int start = Acks(id);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Acks(id) >= start + acks)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"n{id}'s application acknowledged {Acks(id) - start} of {acks} records within {timeout.TotalSeconds:0} s.\n{Diagnostics()}");
    }

    /// <summary>Kills node <paramref name="id"/>'s QEMU: an instant crash of the whole machine.</summary>
    public DateTimeOffset Kill(int id)
    {
        var at = RecordFault(id, RigFaults.Kill);
        Guest(id).Crash();
        return at;
    }

    /// <summary>Freezes node <paramref name="id"/>'s guest (monitor <c>stop</c>): CPU, clocks, I/O and heartbeats all stop.</summary>
    public async Task<DateTimeOffset> FreezeAsync(int id)
    {
        await Guest(id).FreezeAsync();
        return RecordFault(id, RigFaults.Stop);
    }

    /// <summary>
    /// Resumes a frozen guest (monitor <c>cont</c>). Its clock stood still while frozen, so it is set from
    /// the host's again at once (as a hypervisor's time sync would), keeping its later log lines comparable;
    /// what it stamps in the first milliseconds is still behind — the checker's on-disk order check does not
    /// depend on clocks.
    /// </summary>
    public async Task<DateTimeOffset> ResumeAsync(int id)
    {
        var at = RecordFault(id, RigFaults.Continue);
        await Guest(id).ResumeAsync();
        TimeSpan error = await SetClockAsync(Guest(id));
        ClockError = error > ClockError ? error : ClockError;
        _log($"n{id} resumed; clock set again (within {error.TotalMilliseconds:0} ms: the guest is busy catching up)");
        return at;
    }

    /// <summary>Takes node <paramref name="id"/>'s LAN NIC down (monitor <c>set_link … off</c>): only the LAN path; serial and disk stay.</summary>
    public async Task<DateTimeOffset> CutLanAsync(int id)
    {
        string answer = await Guest(id).MonitorAsync($"set_link {LanNetdev} off");
        Assert.DoesNotContain("not found", answer, StringComparison.OrdinalIgnoreCase);
        return RecordFault(id, RigFaults.CutLan);
    }

    public async Task<DateTimeOffset> HealLanAsync(int id)
    {
        var at = RecordFault(id, RigFaults.Restore);
        await Guest(id).MonitorAsync($"set_link {LanNetdev} on");
        return at;
    }

    /// <summary>Logs what the rig saw happen to a node (e.g. its daemon exited after fencing itself).</summary>
    public DateTimeOffset RecordFault(int id, string fault)
    {
        var at = DateTimeOffset.UtcNow;
        _faults.Record(id, fault, at);
        return at;
    }

    /// <summary>Ends the run: logs the shutdown of every running node first, then stops them (SIGTERM, then SIGKILL).</summary>
    public async Task StopNodesAsync()
    {
        var running = new List<int>();
        foreach (int id in _nodePids.Keys.Where(i => !Guest(i).HasExited))
        {
            if (await NodeRunningAsync(id))
            {
                running.Add(id);
                RecordFault(id, RigFaults.Shutdown);
            }
        }

        foreach (int id in running)
        {
            int pid = _nodePids[id];
            await Guest(id).RunAsync($"kill -TERM {pid}; for i in $(seq 1 100); do kill -0 {pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL {pid}", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The application's records as this host reads them from the shared disk (through the emulator, not through any guest).</summary>
    public async Task<DiskRecordScan> ScanDiskAsync()
    {
        await using var device = new ScsiDevice(_disk!.Connect("iqn.2026-01.org.hwfence:qc-scan"));
        await device.ClearUnitAttentionsAsync();
        return await DemoRecordReader.ScanAsync(device, RecordRegion.Default);
    }

    /// <summary>Runs the independent invariant checker on the run's evidence: the disk read by this host, the nodes' logs, the acks, the fault log.</summary>
    public async Task<InvariantReport> CheckAsync(InvariantCheckerOptions options)
    {
        await using var device = new ScsiDevice(_disk!.Connect("iqn.2026-01.org.hwfence:qc-checker"));
        await device.ClearUnitAttentionsAsync();
        var events = Enumerable.Range(1, NodeCount).Select(i => Path.Combine(StateDir(i), "rig-events.jsonl")).Where(File.Exists)
            .Append(_faults.Path);
        var acks = Enumerable.Range(1, NodeCount).Select(i => Path.Combine(WorkDir, $"acks-n{i}.jsonl")).Where(File.Exists);
        return await new InvariantChecker(options).CheckAsync(device, events, acks);
    }

    /// <summary>The last <paramref name="count"/> lines of node <paramref name="id"/>'s daemon output (nN.log).</summary>
    public IEnumerable<string> NodeLog(int id, int count) => Tail(Path.Combine(WorkDir, $"n{id}.log"), count);

    private static List<string> Tail(string file, int count)
    {
        var lines = new Queue<string>();
        if (!File.Exists(file))
        {
            return [];
        }

        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        while (reader.ReadLine() is { } line)
        {
            lines.Enqueue(line);
            if (lines.Count > count)
            {
                lines.Dequeue();
            }
        }

        return lines.ToList();
    }

    /// <summary>The tail of every node's log and event log, for failure messages.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        for (int id = 1; id <= NodeCount; id++)
        {
            foreach (string file in new[] { Path.Combine(WorkDir, $"n{id}.log"), Path.Combine(StateDir(id), "rig-events.jsonl") })
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(file)} of n{id} (last 40 lines)");
                text.AppendLine(string.Join('\n', Tail(file, 40)));
            }
        }

        return text.ToString();
    }

    private static async Task<GuestResult> RunOkAsync(QemuGuest guest, string command, TimeSpan? timeout = null)
    {
        var r = await guest.RunAsync(command, timeout);
        Assert.True(r.ExitCode == 0, $"{guest.Name}: {r}");
        return r;
    }

    /// <summary>
    /// Sets the guest's clock from this host's (one-way agent delay estimated from a first round trip),
    /// then measures the remaining difference; returns its bound (|offset| + half a round trip).
    /// </summary>
    private static async Task<TimeSpan> SetClockAsync(QemuGuest guest)
    {
        var probe = await guest.RunAsync("true");
        TimeSpan oneWay = probe.Elapsed / 2;
        var target = DateTimeOffset.UtcNow + oneWay;
        await RunOkAsync(guest, $"date -u -s @{target.ToUnixTimeMilliseconds() / 1000.0:0.000} >/dev/null");
        var before = DateTimeOffset.UtcNow;
        var read = await RunOkAsync(guest, "date -u +%s.%N");
        var after = DateTimeOffset.UtcNow;
        double guestSeconds = double.Parse(read.Output.Trim(), CultureInfo.InvariantCulture);
        double hostMid = (before.ToUnixTimeMilliseconds() + after.ToUnixTimeMilliseconds()) / 2000.0;
        return TimeSpan.FromSeconds(Math.Abs(guestSeconds - hostMid) + (after - before).TotalSeconds / 2);
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cable in _cables)
        {
            await cable.DisposeAsync();
        }

        foreach (var guest in _guests)
        {
            await guest.DisposeAsync();
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

        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

using HwFence.Emulator;
using HwFence.Emulator.Loopback;
using HwFence.Fencing.Scsi;
using HwFence.Hal.Scsi;
using HwFence.Scsi;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>
/// In-process emulated fencing disks; each node is its own initiator (iqn.2026-01.org.hwfence:nodeN),
/// so reservations between nodes behave as between hosts on a SAN.
/// </summary>
internal sealed class EmulatorRig : IAsyncDisposable
{
    public const string Cluster = "hwfence-test";
    private readonly List<EmulatedDisk> _disks = [];
    private readonly List<IAsyncDisposable> _devices = [];
    private static int s_counter;

    public EmulatorRig(int diskCount = 1)
    {
        int id = Interlocked.Increment(ref s_counter);
        for (int i = 0; i < diskCount; i++)
        {
            _disks.Add(EmulatedDisk.CreateInMemory(8 * 1024 * 1024, $"fence-{Environment.ProcessId}-{id}-{i}"));
        }
    }

    public IReadOnlyList<EmulatedDisk> Disks => _disks;

    public List<string> Log { get; } = [];

    public static string Initiator(int node) => $"iqn.2026-01.org.hwfence:node{node}";

    public static RegistrationKey KeyOf(int node) => RegistrationKey.Derive(Cluster, node);

    /// <summary>The loopback transports of the last <see cref="Node"/> call, per disk.</summary>
    public Dictionary<int, List<LoopbackTransport>> Transports { get; } = [];

    /// <summary>Node <paramref name="node"/>'s fence device over every disk (optionally wrapping each transport).</summary>
    public ScsiPrFenceDevice Node(int node, Func<IScsiTransport, IScsiTransport>? wrap = null)
    {
        var transports = _disks.Select(d => d.Connect(Initiator(node))).ToList();
        Transports[node] = transports;
        var disks = transports
            .Select(t => FencingDisk.SinglePath(new ScsiDevice(wrap is null ? t : wrap(t))))
            .ToArray();
        var device = new ScsiPrFenceDevice(disks, KeyOf(node), new ScsiPrFenceOptions { ClusterName = Cluster }, line => { lock (Log) { Log.Add(line); } });
        _devices.Add(device);
        return device;
    }

    /// <summary>A plain SCSI device for node <paramref name="node"/> on disk <paramref name="disk"/> (for WRITE checks).</summary>
    public ScsiDevice Writer(int node, int disk = 0)
    {
        var device = new ScsiDevice(_disks[disk].Connect(Initiator(node)));
        _devices.Add(device);
        return device;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _devices)
        {
            await d.DisposeAsync();
        }

        foreach (var d in _disks)
        {
            await d.DisposeAsync();
        }
    }
}

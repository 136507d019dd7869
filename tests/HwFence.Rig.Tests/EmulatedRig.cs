using HwFence.Emulator;
using HwFence.Scsi;
using HwFence.Scsi.PersistentReservations;
using HwFence.Testing;

namespace HwFence.Rig.Tests;

/// <summary>An in-memory shared disk (engineer h4's emulator) with one SCSI device per node and one for the checker.</summary>
internal sealed class EmulatedRig : IAsyncDisposable
{
    public static readonly RecordRegion Region = new(64, 256);

    private readonly List<ScsiDevice> _devices = new();
    private readonly Dictionary<int, ScsiDevice> _nodeDevices = new();

    public EmulatedRig() => Disk = EmulatedDisk.CreateInMemory(4L << 20);

    public EmulatedDisk Disk { get; }

    public FakeTimeProvider Clock { get; } = new();

    public ScsiDevice Device(string initiator)
    {
        var device = new ScsiDevice(Disk.Connect(initiator));
        _devices.Add(device);
        return device;
    }

    /// <summary>Node <paramref name="node"/>'s one path to the disk (one I_T nexus, kept: a new one would lose its registration).</summary>
    public ScsiDevice NodeDevice(int node)
    {
        if (!_nodeDevices.TryGetValue(node, out ScsiDevice? device))
        {
            _nodeDevices[node] = device = Device($"iqn.2026-01.org.hwfence:node{node}");
        }

        return device;
    }

    /// <summary>The node's SCSI-3 PR key in these tests ("HWF" + node id).</summary>
    public static ulong Key(int node) => 0x4857_4600_0000_0000UL + (ulong)node;

    /// <summary>Unfence: register the node's key and take Write Exclusive – Registrants Only if nobody holds a reservation.</summary>
    public async Task UnfenceAsync(int node)
    {
        ScsiDevice device = NodeDevice(node);
        await device.RegisterAsync(Key(node));
        await device.TryPersistentReserveAsync(Key(node), PersistentReservationType.WriteExclusiveRegistrantsOnly);
    }

    /// <summary>The SCSI-3 fence: <paramref name="fencer"/> preempts and aborts <paramref name="victim"/>'s key.</summary>
    public async Task FenceAsync(int fencer, int victim)
    {
        ScsiDevice device = NodeDevice(fencer);
        await device.RegisterAsync(Key(fencer));
        (await device.TryPreemptAsync(Key(fencer), Key(victim), PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true)).ThrowIfNotGood();
    }

    /// <summary>Writes one block through a separate, registered initiator (to fake what a broken stack would leave on the disk).</summary>
    public async Task RawWriteAsync(ulong lba, byte[] block)
    {
        ScsiDevice device = Device("iqn.2026-01.org.hwfence:tamper");
        await device.RegisterAsync(0x7A7A_7A7AUL);
        await device.WriteAsync(lba, 1, block);
    }

    public DemoRecordLog Log(int node, ulong incarnation, MemoryAckLog acks) =>
        new(NodeDevice(node), Region, node, incarnation, acks, Clock);

    public async ValueTask<DiskRecordScan> ScanAsync() =>
        await DemoRecordReader.ScanAsync(Device("iqn.2026-01.org.hwfence:checker"), Region);

    public async ValueTask DisposeAsync()
    {
        foreach (ScsiDevice d in _devices)
        {
            await d.DisposeAsync();
        }

        await Disk.DisposeAsync();
    }
}

/// <summary>An ack log in memory.</summary>
internal sealed class MemoryAckLog : IAckLog
{
    public List<AckLine> Lines { get; } = new();

    public void Append(AckLine ack) => Lines.Add(ack);
}

using HwFence.Hal.Scsi;
using HwFence.Heartbeat.DrivePulse;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Scsi;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.DrivePulse;

/// <summary>Nodes sharing one disk (emulator in process, or tgtd over iSCSI), each with its own initiator port and drive pulse channel.</summary>
internal sealed class DrivePulseRig : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _devices = new();
    private readonly List<IDisposable> _channels = new();

    public FakeTimeProvider Time { get; } = new();

    public Dictionary<int, RecordingSink> Sinks { get; } = new();

    public Dictionary<int, ScsiDevice> Devices { get; } = new();

    public static string Initiator(int node) => $"iqn.2026-01.org.hwfence:node{node}";

    /// <summary>Key the fencing layer would derive for a node (any fixed, distinct, non-zero value serves here).</summary>
    public static ulong KeyOf(int node) => 0x4857_4600_0000_0000UL | (uint)node;

    public ScsiDevice AddDevice(int node, IScsiTransport transport)
    {
        var device = new ScsiDevice(transport, new ScsiDeviceOptions { TimeProvider = Time });
        _devices.Add(device);
        Devices[node] = device;
        Sinks[node] = new RecordingSink();
        return device;
    }

    public DrivePulseChannel Channel(int node, DrivePulseOptions options, ulong incarnation = 1)
    {
        var channel = DrivePulseChannel.Create(TestIdentities.Node(node, incarnation), options, Devices[node], new ChannelCallbacks(Sinks[node]), Time);
        _channels.Add(channel);
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _channels)
        {
            c.Dispose();
        }

        foreach (var d in _devices)
        {
            await d.DisposeAsync();
        }
    }
}

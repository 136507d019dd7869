using HwFence.Scsi;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>
/// <see cref="DrivePulseKind.DiskSlot"/> (as sbd does): every interval this node writes counter +
/// incarnation + timestamp into its own slot with FUA and reads every peer's slot with FUA
/// (<see cref="DiskSlotLayout"/>); a peer whose (incarnation, counter) changed is reported with the
/// counter as the sequence. Refuses to start on an uninitialised disk or another cluster's.
/// </summary>
public sealed class DiskSlotPulse : DrivePulseChannel
{
    private readonly Dictionary<int, (ulong Incarnation, ulong Counter)> _lastSeen = new();
    private DiskSlotHeader? _header;
    private byte[] _area = [];
    private byte[] _ownBlock = [];
    private ulong _counter;

    internal DiskSlotPulse(HeartbeatIdentity identity, DrivePulseOptions options, ScsiDevice device, ChannelCallbacks callbacks, TimeProvider time)
        : base(identity, options, device, callbacks, time)
    {
    }

    /// <summary>The header read at start.</summary>
    public DiskSlotHeader? Header => _header;

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var header = await DiskSlotLayout.ReadHeaderAsync(Device, Options.SlotAreaLba, Identity.ClusterId, cancellationToken).ConfigureAwait(false);
        int highest = Math.Max(Identity.NodeId, Options.PeerNodeIds.DefaultIfEmpty(0).Max());
        if (highest > header.SlotCount)
        {
            throw new DrivePulseException($"disk {Device.Address} has {header.SlotCount} slots but node {highest} needs slot {highest}; " +
                                          $"re-initialise with more slots (`hwfence disk init {Device.Address} --slots N --force` with the cluster stopped).");
        }

        _header = header;
        _area = new byte[header.SlotCount * header.BlockSize];
        _ownBlock = new byte[header.BlockSize];
    }

    protected override async ValueTask WatchAsync(CancellationToken cancellationToken)
    {
        DiskSlotHeader h = _header ?? throw new InvalidOperationException("call StartAsync first");
        RequireGood(await Device.TryReadAsync(Options.SlotAreaLba + 1, h.SlotCount, _area, fua: true, Options.CommandTimeout, cancellationToken).ConfigureAwait(false));
        foreach (int peer in Options.PeerNodeIds)
        {
            ReadOnlySpan<byte> block = _area.AsSpan((peer - 1) * h.BlockSize, h.BlockSize);
            if (!DiskSlotLayout.TryParseSlot(block, out DiskSlot slot) || slot.NodeId != peer || slot.ClusterId != Identity.ClusterId)
            {
                continue; // never written, torn, or not the owner's: no pulse
            }

            var now = (slot.Incarnation, slot.Counter);
            bool changed = !_lastSeen.TryGetValue(peer, out var before) || before != now;
            _lastSeen[peer] = now;
            if (changed && before != default)
            {
                Heard(peer, slot.Incarnation, slot.Counter);
            }
        }
    }

    protected override async ValueTask PulseAsync(CancellationToken cancellationToken)
    {
        long micros = Time.GetElapsedTime(0, Time.GetTimestamp()).Ticks / 10;
        DiskSlotLayout.WriteSlot(_ownBlock, new DiskSlot(Identity.NodeId, Identity.ClusterId, Identity.Incarnation, ++_counter, micros));
        ulong lba = Options.SlotAreaLba + (ulong)Identity.NodeId;
        RequireGood(await Device.TryWriteAsync(lba, 1, _ownBlock, fua: true, Options.CommandTimeout, cancellationToken).ConfigureAwait(false));
    }
}

using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>The drive pulse on one shared disk.</summary>
public sealed class DrivePulseOptions
{
    /// <summary>The disk's address (design.md "Device addresses"); names the path <c>disk:&lt;device&gt;</c>.</summary>
    public required string Device { get; init; }

    public required DrivePulseKind Kind { get; init; }

    /// <summary>Whether this node pulses on the disk. Default true.</summary>
    public bool Pulse { get; init; } = true;

    /// <summary>Whether this node watches its peers' pulse on the disk. Default true.</summary>
    public bool Watch { get; init; } = true;

    /// <summary>
    /// The peers whose pulse this disk carries. Reserve-toggle and PR generation cannot tell pulsing
    /// nodes apart (one reservation, one generation counter per LUN), so they need exactly one;
    /// disk slots carry any number.
    /// </summary>
    public IReadOnlyList<int> PeerNodeIds { get; init; } = [];

    /// <summary>PR generation: this node's registration key (the fencing layer derives it from cluster id and node id).</summary>
    public ulong OwnKey { get; init; }

    /// <summary>PR generation: each peer's registration key, to see whether the peer is still registered.</summary>
    public IReadOnlyDictionary<int, ulong> PeerKeys { get; init; } = new Dictionary<int, ulong>();

    /// <summary>Disk slot: first LBA of the reserved area (header, then slot n at +n). Default 0, as sbd uses the start of a small dedicated LUN.</summary>
    public ulong SlotAreaLba { get; init; }

    /// <summary>Interval between pulses (and watches). Default 1 s, as the LAN; a watcher's deadtime should cover several intervals (a TUR sampled at the pulse rate sees a flip on most, not all, samples).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of each SCSI command. Default 5 s: well under a typical 10–30 s deadtime, long enough for a path failover inside a multipath stack.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public PathId Path => PathId.Disk(Device);

    /// <summary>Returns every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        string who = $"drive pulse on {Device}";
        if (!Pulse && !Watch)
        {
            errors.Add($"{who}: neither pulse nor watch is enabled.");
        }

        if (Interval <= TimeSpan.Zero || CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{who}: interval and command timeout must be positive.");
        }

        if (PeerNodeIds.Any(p => p is < 1 or > FrameLayout.MaxNodeId))
        {
            errors.Add($"{who}: peer node ids must be 1–{FrameLayout.MaxNodeId}.");
        }

        if (Kind is DrivePulseKind.ReserveToggle or DrivePulseKind.PrGeneration && Watch && PeerNodeIds.Count != 1)
        {
            errors.Add($"{who}: {Kind} carries one node's pulse per LUN, so watching needs exactly one peer (got {PeerNodeIds.Count}); use disk slots for more.");
        }

        if (Kind == DrivePulseKind.ReserveToggle && Pulse && Watch)
        {
            errors.Add($"{who}: with reserve-toggle a node either pulses or watches a LUN (a watcher's TEST UNIT READY only sees other nodes' reservations, and two pulsers collide); use one LUN per direction.");
        }

        if (Kind == DrivePulseKind.PrGeneration)
        {
            if (Pulse && OwnKey == 0)
            {
                errors.Add($"{who}: PR generation pulse needs this node's registration key (0 is not a key).");
            }

            if (Watch && PeerNodeIds.Any(p => !PeerKeys.ContainsKey(p)))
            {
                errors.Add($"{who}: PR generation watch needs each peer's registration key.");
            }
        }

        return errors;
    }

    /// <summary>
    /// For the configuration layer: refuses reserve-toggle on a LUN that is also fenced with SCSI-3
    /// persistent reservations — the registrations would make every RESERVE(6)/RELEASE(6) fail with
    /// RESERVATION CONFLICT (SPC-4 §5.13.3), and a pulse RELEASE must never touch the fence.
    /// </summary>
    /// <param name="pulses">Every drive pulse configured on this node.</param>
    /// <param name="persistentReservationFencedDevices">Every device fenced with SCSI-3 PR.</param>
    /// <returns>One message per conflicting disk (empty when fine).</returns>
    public static IReadOnlyList<string> ValidateAgainstFencing(IEnumerable<DrivePulseOptions> pulses, IEnumerable<string> persistentReservationFencedDevices)
    {
        var fenced = new HashSet<string>(persistentReservationFencedDevices, StringComparer.Ordinal);
        return pulses
            .Where(p => p.Kind == DrivePulseKind.ReserveToggle && fenced.Contains(p.Device))
            .Select(p => $"disk {p.Device} is configured for both the reserve-toggle drive pulse and SCSI-3 persistent-reservation fencing; " +
                         "the two cannot share a LUN (SPC-4 §5.13.3: RESERVE/RELEASE conflict with registrations). " +
                         "Use kind pr-generation or disk-slot on this disk, or put the reserve-toggle pulse on a separate LUN.")
            .ToList();
    }
}

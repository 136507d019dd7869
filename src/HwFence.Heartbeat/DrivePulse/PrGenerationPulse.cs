using HwFence.Scsi;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>
/// <see cref="DrivePulseKind.PrGeneration"/>: the pulser re-registers its own key every interval,
/// which increments PRgeneration (SPC-4 §5.13.2: "incremented … for each PERSISTENT RESERVE OUT
/// REGISTER … that completes successfully"); the watcher reads PERSISTENT RESERVE IN / READ KEYS
/// (SPC-4 §6.13.2) and sees it advance while the peer's key is registered.
/// </summary>
/// <remarks>
/// The re-registration is REGISTER with reservation key = service action key = our key, not
/// REGISTER AND IGNORE EXISTING KEY: once a fencer has preempted our key, plain REGISTER from the
/// now-unregistered nexus fails with RESERVATION CONFLICT (SPC-4 §5.13.11.2), atomically at the
/// target — whereas IGNORE EXISTING KEY would silently re-register and undo the fence. The pulse
/// then stops and reports the path unusable ("fenced"). The first registration is the fencing
/// layer's job (unfence).
/// The watcher subtracts its own pulses between two reads, so on a two-node LUN a generation that
/// moved further can only be the peer's doing (or other PR activity, which still proves a live
/// target and a live cluster peer holding a registration).
/// </remarks>
public sealed class PrGenerationPulse : DrivePulseChannel
{
    private uint? _lastGeneration;
    private uint _ownSinceLastRead;

    internal PrGenerationPulse(HeartbeatIdentity identity, DrivePulseOptions options, ScsiDevice device, ChannelCallbacks callbacks, TimeProvider time)
        : base(identity, options, device, callbacks, time)
    {
    }

    /// <summary>The last PRgeneration read.</summary>
    public uint? LastGeneration => _lastGeneration;

    protected override async ValueTask WatchAsync(CancellationToken cancellationToken)
    {
        PrReadKeysData keys = await Device.ReadKeysAsync(cancellationToken).ConfigureAwait(false);
        uint own = _ownSinceLastRead;
        _ownSinceLastRead = 0;
        if (_lastGeneration is { } last)
        {
            uint moved = unchecked(keys.Generation - last); // PRgeneration is a 32-bit counter that wraps
            int peer = Options.PeerNodeIds[0];
            if (moved > own && keys.Contains(Options.PeerKeys[peer]))
            {
                Heard(peer, 0, keys.Generation);
            }
        }

        _lastGeneration = keys.Generation;
    }

    protected override async ValueTask PulseAsync(CancellationToken cancellationToken)
    {
        ScsiOutcome outcome = await Device.TryPersistentReserveOutAsync(
            PrOutServiceAction.Register, null, Options.OwnKey, Options.OwnKey, timeout: Options.CommandTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (outcome.IsReservationConflict)
        {
            throw new DrivePulseException(
                $"{outcome}: this node's key {Options.OwnKey:x16} is not registered on the disk — it was fenced (preempted) or never unfenced; " +
                "the PR-generation pulse will not re-register it by itself.");
        }

        RequireGood(outcome);
        _ownSinceLastRead++;
    }
}

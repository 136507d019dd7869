using HwFence.Hal.Scsi;
using HwFence.Scsi;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>
/// <see cref="DrivePulseKind.ReserveToggle"/>: the pulser alternates RESERVE(6) and RELEASE(6)
/// (SPC-2 §7.21, §7.16) each interval; the watcher issues TEST UNIT READY, which a logical unit
/// reserved by another initiator answers with RESERVATION CONFLICT (SPC-2 §5.5.1), so its answer
/// flips GOOD ↔ RESERVATION CONFLICT while the pulser lives. Each flip is one receipt; its sequence
/// counts flips. The incarnation is unknown on this path (reported as 0).
/// </summary>
public sealed class ReserveTogglePulse : DrivePulseChannel
{
    private bool _reserved;
    private ScsiStatus? _lastSeen;
    private ulong _flips;

    internal ReserveTogglePulse(HeartbeatIdentity identity, DrivePulseOptions options, ScsiDevice device, ChannelCallbacks callbacks, TimeProvider time)
        : base(identity, options, device, callbacks, time)
    {
    }

    /// <summary>Flips observed so far.</summary>
    public ulong Flips => _flips;

    protected override async ValueTask WatchAsync(CancellationToken cancellationToken)
    {
        ScsiOutcome outcome = await Device.TryTestUnitReadyAsync(Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsGood && !outcome.IsReservationConflict)
        {
            RequireGood(outcome); // NOT READY, a hardware error…: the disk itself is the problem
        }

        ScsiStatus seen = outcome.Status == ScsiStatus.ReservationConflict ? ScsiStatus.ReservationConflict : ScsiStatus.Good;
        if (_lastSeen is { } last && last != seen)
        {
            Heard(Options.PeerNodeIds[0], 0, ++_flips);
        }

        _lastSeen = seen;
    }

    protected override async ValueTask PulseAsync(CancellationToken cancellationToken)
    {
        ScsiOutcome outcome = _reserved
            ? await Device.TryReleaseAsync(Options.CommandTimeout, cancellationToken).ConfigureAwait(false)
            : await Device.TryReserveAsync(Options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (outcome.IsReservationConflict)
        {
            throw new DrivePulseException(
                $"{outcome}: another initiator holds a reservation on this LUN, or it carries SCSI-3 registrations — " +
                "reserve-toggle needs a LUN of its own that no other node reserves and no PR fencing uses.");
        }

        RequireGood(outcome);
        _reserved = !_reserved;
    }

    protected override void OnDisposing()
    {
        if (_reserved)
        {
            // Leave the LUN unreserved so a successor pulser can start; best effort, bounded.
            try
            {
                Device.TryReleaseAsync(Options.CommandTimeout).AsTask().Wait(Options.CommandTimeout);
            }
            catch (Exception e) when (e is AggregateException or IOException or ObjectDisposedException)
            {
            }
        }
    }
}

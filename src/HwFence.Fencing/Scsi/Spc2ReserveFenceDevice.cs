using HwFence.Hal.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.UnitAttention;

namespace HwFence.Fencing.Scsi;

/// <summary>
/// SPC-2 reserve fencing (SPC-2 §5.5, RESERVE(6) §7.21, RELEASE(6) §7.19) over one shared disk: the node
/// that runs the applications holds RESERVE(6); every other initiator gets RESERVATION CONFLICT on
/// media access. To take over from a dead holder, the backup breaks the reservation with LOGICAL UNIT
/// RESET (falling back to a target reset when the target rejects it), then reserves.
/// </summary>
/// <remarks>
/// <para><b>Fence</b> (<see cref="FenceAsync"/>): RESERVE(6); on RESERVATION CONFLICT, LOGICAL UNIT RESET
/// (SAM-5 §7.7) or TARGET RESET (§7.9) through the path's <see cref="IScsiTaskManagement"/>, then
/// RESERVE(6) again; verified when our RESERVE is GOOD and a TEST UNIT READY from us is GOOD.
/// <b>Unfence</b> of this node = the same RESERVE without the reset (fails when another holds it);
/// unfence of another node = RELEASE(6) of ours, so that it may reserve. <b>Status</b> of another node:
/// <see cref="FenceStatus.Off"/> while this node holds the reservation (our TEST UNIT READY GOOD after our
/// RESERVE on this nexus, no reset seen since), <see cref="FenceStatus.On"/> when TEST UNIT READY gets
/// RESERVATION CONFLICT (someone else holds it) or nobody holds it.</para>
/// <para><b>Limits, by design of SPC-2.</b> A reservation belongs to an I_T nexus, not to a node: it is
/// not persistent across LU reset, target reset, power loss or nexus loss (an iSCSI reconnect drops it),
/// and the target cannot tell which node holds it — status can say only "someone else holds it".
/// A live holder must therefore re-assert: call <see cref="ReassertAsync"/> from the drive pulse; when
/// it gets RESERVATION CONFLICT the node was fenced and must stop its applications. A reset aborts every
/// outstanding command of the victim (its in-flight writes fail with an aborted/UA status) as well as
/// of every other initiator on the LU. Two backups that fence at the same moment can both reset and
/// reserve; the second reset silently takes the first's reservation, which the first sees only on its
/// next <see cref="ReassertAsync"/> (UNIT ATTENTION 29h then RESERVATION CONFLICT). Prefer SCSI-3 PR
/// (<see cref="ScsiPrFenceDevice"/>) with more than two nodes; use this method for two-node clusters on
/// disks without PR support. On Linux sg/sd devices the reset goes through ioctl(SG_SCSI_RESET) (never
/// escalated to a bus or host reset); Windows SPTI paths cannot reset, so there the fence works only
/// while the victim released the disk.</para>
/// </remarks>
public sealed class Spc2ReserveFenceDevice : IFenceDevice, IAsyncDisposable
{
    private readonly ScsiDevice _disk;
    private readonly int _ownNodeId;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Generation of the nexus our RESERVE succeeded on; 0 = not holding. A reset UA or a new nexus clears it.
    private long _heldOnGeneration;

    /// <param name="disk">The shared disk (one path: an SPC-2 reservation belongs to one I_T nexus).</param>
    /// <param name="ownNodeId">This node's id; fencing it is refused.</param>
    /// <param name="log">One line per notable event (resets, fallbacks, lost reservation).</param>
    public Spc2ReserveFenceDevice(ScsiDevice disk, int ownNodeId, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(disk);
        _disk = disk;
        _ownNodeId = ownNodeId;
        _log = log ?? (_ => { });
        Name = $"scsi2-reserve[{disk.Address}]";
        _disk.UnitAttentions.Seen += OnUnitAttention;
        _disk.Transport.NexusReplaced += OnNexusReplaced;
    }

    public string Name { get; }

    /// <summary>True while this node holds the reservation as far as it knows (no reset or nexus loss seen since).</summary>
    public bool IsHolding
    {
        get
        {
            long held = Interlocked.Read(ref _heldOnGeneration);
            return held != 0 && held == _disk.Transport.NexusGeneration;
        }
    }

    /// <summary>Raised with the reason when this node finds it lost the reservation (reset by another node, nexus loss, conflict).</summary>
    public event Action<string>? ReservationLost;

    public async Task<FenceResult> FenceAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        if (nodeId == _ownNodeId)
        {
            return new FenceResult(false, $"{Name}: node {nodeId} is this node — a node cannot fence itself", [], [], false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _disk.ClearUnitAttentionsAsync(cancellationToken).ConfigureAwait(false);
            var reserve = await _disk.TryReserveAsync(null, cancellationToken).ConfigureAwait(false);
            string how = "RESERVE(6) GOOD (no other holder)";
            if (reserve.IsReservationConflict)
            {
                string? resetError = await BreakReservationAsync(cancellationToken).ConfigureAwait(false);
                if (resetError is not null)
                {
                    return Lost($"fence node {nodeId}", resetError, byThisNode: false);
                }

                await _disk.ClearUnitAttentionsAsync(cancellationToken).ConfigureAwait(false);
                reserve = await _disk.TryReserveAsync(null, cancellationToken).ConfigureAwait(false);
                how = "reservation broken by reset, RESERVE(6) GOOD";
            }

            if (!reserve.IsGood)
            {
                return Lost($"fence node {nodeId}", reserve.IsReservationConflict
                    ? "RESERVE(6) got RESERVATION CONFLICT after the reset — another node reserved first (it won the race)"
                    : $"RESERVE(6) failed: {reserve}", byThisNode: false);
            }

            return await VerifyHeldAsync($"fence node {nodeId}", how, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ScsiPrFenceDevice.IsDeviceFailure(ex, cancellationToken))
        {
            return Lost($"fence node {nodeId}", ex.Message, byThisNode: false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<FenceResult> UnfenceAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (nodeId != _ownNodeId)
            {
                // Letting another node back = giving up our reservation so that it may reserve.
                var release = await _disk.TryReleaseAsync(null, cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _heldOnGeneration, 0);
                return release.IsGood
                    ? new FenceResult(true, $"{Name}: RELEASE(6) GOOD — node {nodeId} may reserve the disk now", [_disk.Address], [])
                    : Lost($"unfence node {nodeId}", $"RELEASE(6) failed: {release}", byThisNode: true);
            }

            await _disk.ClearUnitAttentionsAsync(cancellationToken).ConfigureAwait(false);
            var reserve = await _disk.TryReserveAsync(null, cancellationToken).ConfigureAwait(false);
            if (!reserve.IsGood)
            {
                return Lost($"unfence node {nodeId}", reserve.IsReservationConflict
                    ? "RESERVE(6) got RESERVATION CONFLICT — another node holds the disk (fence it first or wait for its release), or the disk has SCSI-3 persistent reservation registrations, which make RESERVE(6) conflict (SPC-4 §5.13.3: clear them or use scsi3-pr fencing)"
                    : $"RESERVE(6) failed: {reserve}", byThisNode: true);
            }

            return await VerifyHeldAsync($"unfence node {nodeId}", "RESERVE(6) GOOD", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ScsiPrFenceDevice.IsDeviceFailure(ex, cancellationToken))
        {
            return Lost($"unfence node {nodeId}", ex.Message, byThisNode: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The holder's re-assertion (call it from the drive pulse): RESERVE(6) again on this nexus. True when
    /// this node still holds the disk; false (and <see cref="ReservationLost"/>) when another node took it —
    /// this node was fenced and must stop its applications.
    /// </summary>
    public async Task<bool> ReassertAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reserve = await _disk.TryReserveAsync(null, cancellationToken).ConfigureAwait(false);
            if (reserve.IsGood)
            {
                Interlocked.Exchange(ref _heldOnGeneration, _disk.Transport.NexusGeneration);
                return true;
            }

            Lose(reserve.IsReservationConflict
                ? $"device {_disk.Address}: RESERVATION CONFLICT on RESERVE(6) — another node broke and took the reservation: this node was fenced"
                : $"device {_disk.Address}: RESERVE(6) failed while re-asserting: {reserve}");
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<FenceStatus> StatusAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        try
        {
            var tur = await _disk.TryTestUnitReadyAsync(null, cancellationToken).ConfigureAwait(false);
            if (nodeId == _ownNodeId)
            {
                // This node may use the disk unless someone else holds it.
                return tur.IsReservationConflict ? FenceStatus.Off : tur.IsGood ? FenceStatus.On : FenceStatus.Unknown;
            }

            if (tur.IsReservationConflict)
            {
                return FenceStatus.On; // someone else holds it — the only holder SPC-2 can show us
            }

            return tur.IsGood ? (IsHolding ? FenceStatus.Off : FenceStatus.On) : FenceStatus.Unknown;
        }
        catch (Exception ex) when (ScsiPrFenceDevice.IsDeviceFailure(ex, cancellationToken))
        {
            _log($"{Name}: status of node {nodeId} unknown: {ex.Message}");
            return FenceStatus.Unknown;
        }
    }

    /// <summary>SPC-2 reservations carry no node identity: only this node, and only while it holds the disk.</summary>
    public Task<IReadOnlyList<int>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<int>>(IsHolding ? [_ownNodeId] : []);

    /// <summary>Checks that the disk answers and that this path can reset it (needed to fence a dead holder).</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        if (_disk.Transport is not IScsiTaskManagement)
        {
            throw new InvalidOperationException(
                $"{Name}: transport {_disk.Transport.GetType().Name} cannot send LOGICAL UNIT RESET, so a dead holder's reservation could not be broken — use an iscsi://, sg: or emu: address, or scsi3-pr fencing");
        }

        var tur = await _disk.TryTestUnitReadyAsync(null, cancellationToken).ConfigureAwait(false);
        if (!tur.IsGood && !tur.IsReservationConflict)
        {
            throw new IOException($"{Name}: TEST UNIT READY failed: {tur} — check the disk and the path");
        }
    }

    /// <summary>Unsubscribes from the disk's events; the disk itself belongs to the caller.</summary>
    public ValueTask DisposeAsync()
    {
        _disk.UnitAttentions.Seen -= OnUnitAttention;
        _disk.Transport.NexusReplaced -= OnNexusReplaced;
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string?> BreakReservationAsync(CancellationToken ct)
    {
        if (_disk.Transport is not IScsiTaskManagement tmf)
        {
            return $"RESERVATION CONFLICT and transport {_disk.Transport.GetType().Name} cannot send LOGICAL UNIT RESET to break it — use an iscsi://, sg: or emu: address";
        }

        try
        {
            Interlocked.Exchange(ref _heldOnGeneration, 0); // our own reset's UA is no loss
            _log($"{Name}: RESERVATION CONFLICT — sending LOGICAL UNIT RESET to break the holder's reservation");
            await tmf.LogicalUnitResetAsync(ct).ConfigureAwait(false);
            return null;
        }
        catch (ScsiTransportException lunReset) when (lunReset.Error == ScsiTransportError.NotSupported)
        {
            _log($"{Name}: LOGICAL UNIT RESET refused ({lunReset.Message}); falling back to TARGET RESET");
            try
            {
                await tmf.TargetResetAsync(ct).ConfigureAwait(false);
                return null;
            }
            catch (ScsiTransportException targetReset)
            {
                return $"the target refused both LOGICAL UNIT RESET and TARGET RESET ({targetReset.Message}) — the holder's reservation cannot be broken from here";
            }
        }
    }

    private async Task<FenceResult> VerifyHeldAsync(string action, string how, CancellationToken ct)
    {
        var tur = await _disk.TryTestUnitReadyAsync(null, ct).ConfigureAwait(false);
        if (!tur.IsGood)
        {
            return Lost(action, $"{how}, but TEST UNIT READY then answered {tur} — not verified", byThisNode: false);
        }

        Interlocked.Exchange(ref _heldOnGeneration, _disk.Transport.NexusGeneration);
        return new FenceResult(true, $"{Name}: {action}: {how}; TEST UNIT READY GOOD — this node holds the disk", [_disk.Address], []);
    }

    private FenceResult Lost(string action, string reason, bool byThisNode)
    {
        string message = $"{Name}: {action} failed: {reason}";
        _log(message);
        return new FenceResult(false, message, [], [$"{_disk.Address}: {reason}"], byThisNode);
    }

    private void OnUnitAttention(UnitAttentionEvent e)
    {
        if ((e.Kind & (UnitAttentionKind.PowerOnOrReset | UnitAttentionKind.NexusLoss)) != 0 && Interlocked.Read(ref _heldOnGeneration) != 0)
        {
            Lose($"{e} — the SPC-2 reservation of this node was released by a reset; re-assert it or stop the applications");
        }
    }

    private void OnNexusReplaced(long generation)
    {
        if (Interlocked.Read(ref _heldOnGeneration) != 0)
        {
            Lose($"device {_disk.Address}: I_T nexus replaced (generation {generation}) — an SPC-2 reservation does not survive a reconnect; re-assert it");
        }
    }

    private void Lose(string reason)
    {
        Interlocked.Exchange(ref _heldOnGeneration, 0);
        _log($"{Name}: {reason}");
        ReservationLost?.Invoke(reason);
    }

}

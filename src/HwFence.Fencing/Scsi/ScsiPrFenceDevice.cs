using HwFence.Scsi;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Fencing.Scsi;

/// <summary>
/// SCSI-3 persistent-reservation fencing, the fence_scsi method (SPC-4 §5.13), over one or more shared
/// fencing disks.
/// </summary>
/// <remarks>
/// <para><b>Unfence</b> (this node, <see cref="RegisterOwnKeyAsync"/>): on every path to every disk,
/// TEST UNIT READY (consumes pending unit attentions) then REGISTER AND IGNORE EXISTING KEY with this
/// node's key (SPC-4 §5.13.7); then, where no reservation exists, RESERVE Write Exclusive – Registrants
/// Only (§5.13.9) so that only registered nodes may write.</para>
/// <para><b>Fence</b> (<see cref="FenceKeyAsync"/>): on every disk, check with READ KEYS that this node's
/// key is still there — a node whose key is gone was itself fenced and must not come back by fencing
/// others — then PREEMPT AND ABORT the victim's key (§5.13.11.2.3: removes its
/// registrations, takes over its reservation and aborts its queued commands), falling back to PREEMPT
/// where the target rejects PREEMPT AND ABORT as unsupported (tgtd 1.0.85 does), then READ KEYS to
/// verify the key is gone and make sure a reservation still exists. The fence succeeds only when a
/// majority of the disks verified it; the result names the disks won and lost. A nexus that is not
/// registered yet (new session) is registered only after its PREEMPT was refused and READ KEYS still
/// shows this node's key.</para>
/// <para><b>Races</b>: when two nodes preempt the same victim, the target serialises them: the first
/// removes the key, the second's PREEMPT finds no registration with that key and gets RESERVATION
/// CONFLICT (§5.13.11.2.1). Both then see the victim gone (<see cref="FenceResult.Succeeded"/>), but
/// only the first has <see cref="FenceResult.ByThisNode"/>. When two nodes fence each other, the first
/// preempt removes the other's key and the other's PREEMPT fails: exactly one wins.</para>
/// <para><b>Nexus loss</b>: a new I_T nexus (iSCSI reconnect, reopened device: <c>NexusReplaced</c>)
/// may have no registration. The device then reads the keys through the new nexus: if this node's key
/// is still registered (it was not fenced) the path is registered again; if the key is gone,
/// <see cref="OwnKeyRemoved"/> is raised and nothing is registered.</para>
/// </remarks>
public sealed class ScsiPrFenceDevice : IFenceDevice, IKeyFenceDevice
{
    private readonly IReadOnlyList<FencingDisk> _disks;
    private readonly ScsiPrFenceOptions _options;
    private readonly Action<string> _log;
    private readonly List<(ScsiDevice Path, Action<long> Handler)> _subscriptions = [];
    private readonly HashSet<string> _preemptAndAbortUnsupported = [];
    private int _disposed;

    /// <param name="disks">The fencing disks (an odd number, so that a majority exists).</param>
    /// <param name="ownKey">This node's key.</param>
    /// <param name="options">Cluster name, reservation type, timeouts.</param>
    /// <param name="log">One line per notable event (fallbacks, re-registrations, lost disks).</param>
    public ScsiPrFenceDevice(IReadOnlyList<FencingDisk> disks, RegistrationKey ownKey, ScsiPrFenceOptions? options = null, Action<string>? log = null)
    {
        if (disks.Count == 0)
        {
            throw new ArgumentException("scsi3-pr fencing needs at least one fencing disk", nameof(disks));
        }

        if (!ownKey.IsValid)
        {
            throw new ArgumentException("registration key 0 is not a key (SPC-4 §5.13.7)", nameof(ownKey));
        }

        _disks = disks;
        OwnKey = ownKey;
        _options = options ?? new ScsiPrFenceOptions();
        _log = log ?? (_ => { });
        Name = "scsi3-pr[" + string.Join(",", disks.Select(d => d.Name)) + "]";
        foreach (var disk in disks)
        {
            foreach (var path in disk.Paths)
            {
                Action<long> handler = generation => _ = OnNexusReplacedAsync(disk, path, generation);
                path.Transport.NexusReplaced += handler;
                _subscriptions.Add((path, handler));
            }
        }
    }

    public string Name { get; }

    public RegistrationKey OwnKey { get; }

    /// <summary>Raised (with the disk and path) when this node finds its own key gone: it was fenced. Wire it to the self-fence guard.</summary>
    public event Action<string>? OwnKeyRemoved;

    /// <summary>Raised after a path was handled on <c>NexusReplaced</c>: address, whether it is registered again, and what happened.</summary>
    public event Action<string, bool, string>? NexusReRegistered;

    // ------------------------------------------------------------------ IKeyFenceDevice

    public async Task<FenceResult> RegisterOwnKeyAsync(CancellationToken cancellationToken = default)
    {
        var outcomes = await Task.WhenAll(_disks.Select(d => UnfenceDiskAsync(d, cancellationToken)));
        return Combine($"unfence with key {OwnKey}", outcomes, requireByThisNode: false);
    }

    public async Task<FenceResult> FenceKeyAsync(RegistrationKey victim, CancellationToken cancellationToken = default)
    {
        if (victim == OwnKey)
        {
            return new FenceResult(false, $"{Name}: key {victim} is this node's own key — a node cannot fence itself", [], [], false);
        }

        var outcomes = await Task.WhenAll(_disks.Select(d => FenceDiskAsync(d, victim, cancellationToken)));
        return Combine($"fence key {victim}", outcomes, requireByThisNode: true);
    }

    public async Task<FenceStatus> KeyStatusAsync(RegistrationKey key, CancellationToken cancellationToken = default)
    {
        var reads = await Task.WhenAll(_disks.Select(d => TryReadKeysAsync(d, cancellationToken)));
        bool anyAnswered = false;
        foreach (var (keys, _) in reads)
        {
            if (keys is null)
            {
                continue;
            }

            anyAnswered = true;
            if (keys.Contains(key.Value))
            {
                return FenceStatus.On;
            }
        }

        return anyAnswered ? FenceStatus.Off : FenceStatus.Unknown;
    }

    public async Task<IReadOnlyList<RegistrationKey>> ReadKeysAsync(CancellationToken cancellationToken = default)
    {
        var reads = await Task.WhenAll(_disks.Select(d => TryReadKeysAsync(d, cancellationToken)));
        if (reads.All(r => r.Keys is null))
        {
            throw new IOException($"{Name}: no fencing disk answered READ KEYS: {string.Join("; ", reads.Select(r => r.Error))}");
        }

        return reads.Where(r => r.Keys is not null)
            .SelectMany(r => r.Keys!.Keys)
            .Distinct()
            .Order()
            .Select(k => new RegistrationKey(k))
            .ToArray();
    }

    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        var reads = await Task.WhenAll(_disks.Select(d => TryReadKeysAsync(d, cancellationToken)));
        int answered = reads.Count(r => r.Keys is not null);
        if (answered * 2 <= _disks.Count)
        {
            throw new IOException(
                $"{Name}: only {answered} of {_disks.Count} fencing disks answer READ KEYS — a fence needs a majority: " +
                string.Join("; ", reads.Where(r => r.Keys is null).Select(r => r.Error)));
        }
    }

    // ------------------------------------------------------------------ IFenceDevice (node ids)

    public Task<FenceResult> FenceAsync(int nodeId, CancellationToken cancellationToken = default) =>
        FenceKeyAsync(KeyOf(nodeId), cancellationToken);

    public Task<FenceResult> UnfenceAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        var key = KeyOf(nodeId);
        if (key != OwnKey)
        {
            return Task.FromResult(new FenceResult(false,
                $"{Name}: node {nodeId} (key {key}) can only be unfenced by itself — a registration belongs to the initiator that makes it (SPC-4 §5.13.7)", [], []));
        }

        return RegisterOwnKeyAsync(cancellationToken);
    }

    public Task<FenceStatus> StatusAsync(int nodeId, CancellationToken cancellationToken = default) =>
        KeyStatusAsync(KeyOf(nodeId), cancellationToken);

    public async Task<IReadOnlyList<int>> ListAsync(CancellationToken cancellationToken = default)
    {
        var cluster = RequireClusterName();
        var ids = new List<int>();
        foreach (var key in await ReadKeysAsync(cancellationToken))
        {
            if (key.BelongsTo(cluster) && key.TryGetNodeId(out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var (path, handler) in _subscriptions)
        {
            path.Transport.NexusReplaced -= handler;
        }

        foreach (var disk in _disks)
        {
            foreach (var path in disk.Paths)
            {
                await path.DisposeAsync();
            }
        }
    }

    // ------------------------------------------------------------------ per disk

    private async Task<DiskOutcome> UnfenceDiskAsync(FencingDisk disk, CancellationToken ct)
    {
        var failedPaths = new List<string>();
        ScsiDevice? registeredPath = null;
        foreach (var path in disk.Paths)
        {
            var error = await RegisterPathAsync(path, ct);
            if (error is null)
            {
                registeredPath ??= path;
            }
            else
            {
                failedPaths.Add(error);
            }
        }

        if (registeredPath is null)
        {
            return DiskOutcome.Lost(disk, string.Join("; ", failedPaths));
        }

        try
        {
            var reservation = await registeredPath.ReadReservationAsync(ct);
            if (reservation.Reservation is null)
            {
                var reserve = await registeredPath.TryPersistentReserveOutAsync(
                    PrOutServiceAction.Reserve, _options.ReservationType, OwnKey.Value, timeout: _options.CommandTimeout, cancellationToken: ct);
                if (!reserve.IsGood)
                {
                    // Another node may have reserved between our read and our RESERVE: fine if a reservation exists now.
                    reservation = await registeredPath.ReadReservationAsync(ct);
                    if (reservation.Reservation is null)
                    {
                        return DiskOutcome.Lost(disk, $"registered but could not reserve: {reserve}");
                    }
                }
            }

            var keys = await registeredPath.ReadKeysAsync(ct);
            if (!keys.Contains(OwnKey.Value))
            {
                return DiskOutcome.Lost(disk, $"REGISTER returned GOOD but READ KEYS does not list {OwnKey}");
            }
        }
        catch (Exception ex) when (IsDeviceFailure(ex, ct))
        {
            return DiskOutcome.Lost(disk, ex.Message);
        }

        var note = failedPaths.Count == 0 ? "" : $" (paths not registered: {string.Join("; ", failedPaths)})";
        return DiskOutcome.Won(disk, $"key {OwnKey} registered on {disk.Paths.Count - failedPaths.Count} of {disk.Paths.Count} paths{note}", true);
    }

    private async Task<DiskOutcome> FenceDiskAsync(FencingDisk disk, RegistrationKey victim, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var path in disk.Paths)
        {
            try
            {
                return await FenceThroughPathAsync(disk, path, victim, ct);
            }
            catch (Exception ex) when (IsDeviceFailure(ex, ct))
            {
                errors.Add(ex.Message); // try the next path
            }
        }

        return DiskOutcome.Lost(disk, string.Join("; ", errors));
    }

    private async Task<DiskOutcome> FenceThroughPathAsync(FencingDisk disk, ScsiDevice path, RegistrationKey victim, CancellationToken ct)
    {
        await path.ClearUnitAttentionsAsync(ct);
        var keys = await path.ReadKeysAsync(ct);
        if (!keys.Contains(OwnKey.Value))
        {
            OwnKeyRemoved?.Invoke($"{disk.Name} ({path.Address})");
            return DiskOutcome.Lost(disk,
                $"this node's key {OwnKey} is not registered — it was fenced itself (or never unfenced) and may not fence others; run 'on' after a reboot");
        }

        bool victimWasRegistered = keys.Contains(victim.Value);
        bool preemptedByUs = false;
        if (victimWasRegistered)
        {
            var preempt = await PreemptAsync(disk, path, victim, ct);
            if (preempt.IsReservationConflict)
            {
                // RESERVATION CONFLICT (SPC-4 §5.13.11.2.1): the victim's key is gone already (another node
                // preempted it first), or this node was preempted meanwhile, or this I_T nexus is new and not
                // registered. Only the last case may register (REGISTER AND IGNORE EXISTING KEY) and retry: the
                // key is still ours on the disk. Registering first, unconditionally, as fence_scsi does, would
                // let a node preempted a moment ago come back and fence its fencer.
                var again = await path.ReadKeysAsync(ct);
                if (again.Contains(OwnKey.Value) && again.Contains(victim.Value))
                {
                    var register = await path.TryPersistentReserveOutAsync(
                        PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, OwnKey.Value, Flags, timeout: _options.CommandTimeout, cancellationToken: ct);
                    if (!register.IsGood)
                    {
                        return DiskOutcome.Lost(disk, $"could not register this I_T nexus before preempting: {register}");
                    }

                    _log($"{path.Address}: this I_T nexus had no registration; registered key {OwnKey} (still on the disk) and preempting again");
                    preempt = await PreemptAsync(disk, path, victim, ct);
                }
            }

            if (preempt.IsGood)
            {
                preemptedByUs = true;
            }
            else if (!preempt.IsReservationConflict)
            {
                return DiskOutcome.Lost(disk, $"PREEMPT of {victim} failed: {preempt}");
            }
        }

        var after = await path.ReadKeysAsync(ct);
        if (!after.Contains(OwnKey.Value))
        {
            OwnKeyRemoved?.Invoke($"{disk.Name} ({path.Address})");
            return DiskOutcome.Lost(disk, $"this node's key {OwnKey} was preempted by another node during the fence — it lost the race");
        }

        if (after.Contains(victim.Value))
        {
            return DiskOutcome.Lost(disk, $"key {victim} is still registered after PREEMPT (READ KEYS generation {after.Generation})");
        }

        var reservation = await path.ReadReservationAsync(ct);
        if (reservation.Reservation is null)
        {
            // PREEMPT of a registrant that held no reservation leaves none: without one anybody may write.
            var reserve = await path.TryPersistentReserveOutAsync(
                PrOutServiceAction.Reserve, _options.ReservationType, OwnKey.Value, timeout: _options.CommandTimeout, cancellationToken: ct);
            if (!reserve.IsGood && (await path.ReadReservationAsync(ct)).Reservation is null)
            {
                return DiskOutcome.Lost(disk, $"key {victim} removed but no reservation could be established: {reserve}");
            }
        }

        var what = preemptedByUs
            ? $"key {victim} preempted and verified gone"
            : victimWasRegistered ? $"key {victim} was removed by another node first (lost the race)" : $"key {victim} was not registered";
        return DiskOutcome.Won(disk, what, preemptedByUs);
    }

    private async ValueTask<ScsiOutcome> PreemptAsync(FencingDisk disk, ScsiDevice path, RegistrationKey victim, CancellationToken ct)
    {
        bool abortUnsupported;
        lock (_preemptAndAbortUnsupported)
        {
            abortUnsupported = _preemptAndAbortUnsupported.Contains(disk.Name);
        }

        if (!abortUnsupported)
        {
            var pa = await path.TryPersistentReserveOutAsync(
                PrOutServiceAction.PreemptAndAbort, _options.ReservationType, OwnKey.Value, victim.Value, timeout: _options.CommandTimeout, cancellationToken: ct);
            if (!pa.IsNotSupported)
            {
                return pa;
            }

            lock (_preemptAndAbortUnsupported)
            {
                _preemptAndAbortUnsupported.Add(disk.Name);
            }

            _log($"{disk.Name}: PREEMPT AND ABORT not supported ({pa}); falling back to PREEMPT — the victim's queued commands are not aborted, only refused from now on");
        }

        return await path.TryPersistentReserveOutAsync(
            PrOutServiceAction.Preempt, _options.ReservationType, OwnKey.Value, victim.Value, timeout: _options.CommandTimeout, cancellationToken: ct);
    }

    private async Task<string?> RegisterPathAsync(ScsiDevice path, CancellationToken ct)
    {
        try
        {
            await path.ClearUnitAttentionsAsync(ct);
            var o = await path.TryPersistentReserveOutAsync(
                PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, OwnKey.Value, Flags, timeout: _options.CommandTimeout, cancellationToken: ct);
            return o.IsGood ? null : o.ToString();
        }
        catch (Exception ex) when (IsDeviceFailure(ex, ct))
        {
            return ex.Message;
        }
    }

    private async Task OnNexusReplacedAsync(FencingDisk disk, ScsiDevice path, long generation)
    {
        if (!_options.ReRegisterOnNexusReplaced || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await path.ClearUnitAttentionsAsync();
            var keys = await path.ReadKeysAsync();
            if (!keys.Contains(OwnKey.Value))
            {
                var message = $"{path.Address}: new I_T nexus (generation {generation}) and key {OwnKey} is no longer on {disk.Name} — this node was fenced; not registering again";
                _log(message);
                OwnKeyRemoved?.Invoke($"{disk.Name} ({path.Address})");
                NexusReRegistered?.Invoke(path.Address, false, message);
                return;
            }

            var error = await RegisterPathAsync(path, CancellationToken.None);
            var result = error is null
                ? $"{path.Address}: new I_T nexus (generation {generation}): key {OwnKey} registered again"
                : $"{path.Address}: new I_T nexus (generation {generation}): re-registering key {OwnKey} failed: {error}";
            _log(result);
            NexusReRegistered?.Invoke(path.Address, error is null, result);
        }
        catch (Exception ex) when (IsDeviceFailure(ex, CancellationToken.None) || ex is ObjectDisposedException)
        {
            var message = $"{path.Address}: new I_T nexus (generation {generation}): could not check or re-register key {OwnKey}: {ex.Message}";
            _log(message);
            NexusReRegistered?.Invoke(path.Address, false, message);
        }
    }

    private async Task<(PrReadKeysData? Keys, string Error)> TryReadKeysAsync(FencingDisk disk, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var path in disk.Paths)
        {
            try
            {
                await path.ClearUnitAttentionsAsync(ct);
                return (await path.ReadKeysAsync(ct), "");
            }
            catch (Exception ex) when (IsDeviceFailure(ex, ct))
            {
                errors.Add(ex.Message);
            }
        }

        return (null, $"{disk.Name}: {string.Join("; ", errors)}");
    }

    private FenceResult Combine(string action, DiskOutcome[] outcomes, bool requireByThisNode)
    {
        var won = outcomes.Where(o => o.Ok).Select(o => $"{o.Disk}: {o.Detail}").ToArray();
        var lost = outcomes.Where(o => !o.Ok).Select(o => $"{o.Disk}: {o.Detail}").ToArray();
        bool majority = won.Length * 2 > outcomes.Length;
        bool byUs = !requireByThisNode || outcomes.Count(o => o.Ok && o.ByThisNode) * 2 > outcomes.Length;
        foreach (var l in lost)
        {
            _log($"{action}: lost {l}");
        }

        string message = majority
            ? $"{Name}: {action}: verified on {won.Length} of {outcomes.Length} fencing disks" +
              (lost.Length > 0 ? $"; lost: {string.Join("; ", lost)}" : "") +
              (requireByThisNode && !byUs ? " — the victim was already fenced by another node: this node lost the race" : "")
            : $"{Name}: {action} FAILED: verified on only {won.Length} of {outcomes.Length} fencing disks (a majority is needed); lost: {string.Join("; ", lost)}";
        return new FenceResult(majority, message, won, lost, majority && byUs);
    }

    private RegistrationKey KeyOf(int nodeId) => RegistrationKey.Derive(RequireClusterName(), nodeId);

    private string RequireClusterName() =>
        _options.ClusterName ?? throw new InvalidOperationException($"{Name}: node ids need ScsiPrFenceOptions.ClusterName to derive keys");

    private PrOutFlags Flags => _options.Aptpl ? PrOutFlags.Aptpl : PrOutFlags.None;

    /// <summary>Failures of one disk or path that must not fail the whole operation: the majority rule decides.</summary>
    /// <summary>Errors that mean "this disk/path failed" (reported per disk), as opposed to bugs or the caller's cancellation.</summary>
    internal static bool IsDeviceFailure(Exception ex, CancellationToken ct) =>
        ex is IOException or FormatException or TimeoutException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    private readonly record struct DiskOutcome(string Disk, bool Ok, string Detail, bool ByThisNode)
    {
        public static DiskOutcome Won(FencingDisk d, string detail, bool byThisNode) => new(d.Name, true, detail, byThisNode);

        public static DiskOutcome Lost(FencingDisk d, string detail) => new(d.Name, false, detail, false);
    }
}

namespace HwFence.Fencing.Scsi;

/// <summary>
/// A fence that works on registration keys rather than node ids: what the Pacemaker agent needs,
/// since fence_scsi users may pass any key with <c>-k</c>. <see cref="ScsiPrFenceDevice"/> implements
/// it; its <see cref="IFenceDevice"/> side maps node ids to keys with <see cref="RegistrationKey.Derive"/>.
/// </summary>
public interface IKeyFenceDevice : IAsyncDisposable
{
    /// <summary>Method and devices, for messages.</summary>
    string Name { get; }

    /// <summary>The key this node registers and preempts with.</summary>
    RegistrationKey OwnKey { get; }

    /// <summary>Unfence this node: register <see cref="OwnKey"/> on every path of every disk, reserve where nobody does.</summary>
    Task<FenceResult> RegisterOwnKeyAsync(CancellationToken cancellationToken = default);

    /// <summary>Fence: remove <paramref name="victim"/> from every disk and verify with READ KEYS; majority rule.</summary>
    Task<FenceResult> FenceKeyAsync(RegistrationKey victim, CancellationToken cancellationToken = default);

    /// <summary>On when <paramref name="key"/> is registered on a reachable disk, Off when on none, Unknown when no disk answered.</summary>
    Task<FenceStatus> KeyStatusAsync(RegistrationKey key, CancellationToken cancellationToken = default);

    /// <summary>The distinct keys registered on the reachable disks (READ KEYS); throws when no disk answered.</summary>
    Task<IReadOnlyList<RegistrationKey>> ReadKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Throws, naming the disk, unless a majority of the disks answer READ KEYS.</summary>
    Task VerifyAsync(CancellationToken cancellationToken = default);
}

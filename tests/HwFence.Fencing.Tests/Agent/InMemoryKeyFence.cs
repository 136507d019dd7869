using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Tests.Agent;

/// <summary>A seam for runner tests: one "disk" as a set of registered keys; the real device is tested against the emulator and tgtd.</summary>
internal sealed class InMemoryKeyFence(HashSet<ulong> registered, RegistrationKey ownKey, bool reachable = true) : IKeyFenceDevice
{
    public string Name => "memory";

    public RegistrationKey OwnKey => ownKey;

    public bool Disposed { get; private set; }

    public Task<FenceResult> RegisterOwnKeyAsync(CancellationToken cancellationToken = default)
    {
        if (!reachable)
        {
            return Task.FromResult(new FenceResult(false, "memory: unreachable", [], ["memory: unreachable"]));
        }

        registered.Add(ownKey.Value);
        return Task.FromResult(new FenceResult(true, $"registered {ownKey}", ["memory"], []));
    }

    public Task<FenceResult> FenceKeyAsync(RegistrationKey victim, CancellationToken cancellationToken = default)
    {
        if (!reachable || !registered.Contains(ownKey.Value))
        {
            return Task.FromResult(new FenceResult(false, "memory: cannot preempt", [], ["memory: not registered"]));
        }

        registered.Remove(victim.Value);
        return Task.FromResult(new FenceResult(true, $"preempted {victim}", ["memory"], []));
    }

    public Task<FenceStatus> KeyStatusAsync(RegistrationKey key, CancellationToken cancellationToken = default) =>
        Task.FromResult(!reachable ? FenceStatus.Unknown : registered.Contains(key.Value) ? FenceStatus.On : FenceStatus.Off);

    public Task<IReadOnlyList<RegistrationKey>> ReadKeysAsync(CancellationToken cancellationToken = default) =>
        reachable
            ? Task.FromResult<IReadOnlyList<RegistrationKey>>(registered.Order().Select(k => new RegistrationKey(k)).ToArray())
            : throw new IOException("memory: unreachable");

    public Task VerifyAsync(CancellationToken cancellationToken = default) =>
        reachable ? Task.CompletedTask : throw new IOException("memory: unreachable");

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

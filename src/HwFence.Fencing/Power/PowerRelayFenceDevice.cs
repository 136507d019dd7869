using HwFence.Hal.Power;

namespace HwFence.Fencing.Power;

/// <summary>
/// Fencing by cutting a node's power through a relay (one <see cref="IRelay"/> per node). Fence = power
/// off, verified by read-back; unfence = power on. The node's disks are safe as soon as its power is
/// off, whatever state its software was in.
/// </summary>
public sealed class PowerRelayFenceDevice : IFenceDevice, IDisposable
{
    private readonly IReadOnlyDictionary<int, IRelay> _relays;

    /// <param name="relays">Relay per node id (the outlet each node's supply is wired through).</param>
    public PowerRelayFenceDevice(IReadOnlyDictionary<int, IRelay> relays)
    {
        _relays = relays;
        Name = "power-relay[" + string.Join(",", relays.OrderBy(r => r.Key).Select(r => $"node {r.Key}={r.Value.Name}")) + "]";
    }

    public string Name { get; }

    public Task<FenceResult> FenceAsync(int nodeId, CancellationToken cancellationToken = default) =>
        SwitchAsync(nodeId, static (r, ct) => r.OffAsync(ct), "powered off", cancellationToken);

    public Task<FenceResult> UnfenceAsync(int nodeId, CancellationToken cancellationToken = default) =>
        SwitchAsync(nodeId, static (r, ct) => r.OnAsync(ct), "powered on", cancellationToken);

    public async Task<FenceStatus> StatusAsync(int nodeId, CancellationToken cancellationToken = default)
    {
        if (!_relays.TryGetValue(nodeId, out var relay))
        {
            return FenceStatus.Unknown;
        }

        try
        {
            return await relay.StatusAsync(cancellationToken) == PowerState.On ? FenceStatus.On : FenceStatus.Off;
        }
        catch (IOException)
        {
            return FenceStatus.Unknown;
        }
    }

    public Task<IReadOnlyList<int>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<int>>(_relays.Keys.Order().ToArray());

    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (node, relay) in _relays)
        {
            try
            {
                _ = await relay.StatusAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new IOException($"{Name}: relay of node {node} does not answer: {ex.Message}", ex);
            }
        }
    }

    public void Dispose()
    {
        foreach (var relay in _relays.Values)
        {
            relay.Dispose();
        }
    }

    private async Task<FenceResult> SwitchAsync(int nodeId, Func<IRelay, CancellationToken, Task> action, string verb, CancellationToken ct)
    {
        if (!_relays.TryGetValue(nodeId, out var relay))
        {
            return new FenceResult(false, $"{Name}: no relay is configured for node {nodeId} — add it to the power fencing section", [], [$"node {nodeId}: no relay"]);
        }

        try
        {
            await action(relay, ct);
            return new FenceResult(true, $"node {nodeId} {verb} through relay {relay.Name} (verified by read-back)", [relay.Name], []);
        }
        catch (IOException ex)
        {
            return new FenceResult(false, $"node {nodeId} NOT {verb}: {ex.Message}", [], [$"{relay.Name}: {ex.Message}"]);
        }
    }
}

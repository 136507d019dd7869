using HwFence.Fencing;

namespace HwFence.Cluster.Failover;

/// <summary>
/// <see cref="IFencer"/> over the Fencing layer's <see cref="IFenceDevice"/>s: tries the group's
/// devices in their configured order and returns the first verified success (fence_topology style:
/// level 1, then level 2); when all fail, the result lists every device with its reason.
/// </summary>
public sealed class FenceDeviceFencer(IReadOnlyDictionary<string, IReadOnlyList<IFenceDevice>> devicesByGroup, TimeSpan timeout) : IFencer
{
    public async Task<FenceResult> FenceAsync(string group, int nodeId, CancellationToken cancellationToken = default)
    {
        if (!devicesByGroup.TryGetValue(group, out var devices) || devices.Count == 0)
        {
            return new FenceResult(false, $"group '{group}' has no fencing device configured — add a method under groups[].fencing; no failover without a verified fence", [], []);
        }

        var lost = new List<string>();
        foreach (var device in devices)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                var result = await device.FenceAsync(nodeId, cts.Token).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    return result with { Lost = [.. lost, .. result.Lost] };
                }

                lost.Add($"{device.Name}: {result.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lost.Add($"{device.Name}: no verified fence within {timeout.TotalSeconds:0.#} s (timings.fence_timeout)");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
            {
                lost.Add($"{device.Name}: {e.Message}");
            }
        }

        return new FenceResult(false, $"fencing node {nodeId} for group '{group}' failed on every method: {string.Join("; ", lost)}", [], lost);
    }
}

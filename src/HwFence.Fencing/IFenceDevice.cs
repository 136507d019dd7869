namespace HwFence.Fencing;

/// <summary>
/// One fencing method (SCSI-3 PR, SPC-2 reserve, power relay, watchdog). Fence cuts a node off the
/// shared storage or power; unfence lets it back. Every call verifies what it did.
/// </summary>
public interface IFenceDevice
{
    /// <summary>Method and devices, e.g. "scsi3-pr[iscsi://127.0.0.1:3260/iqn…/1]".</summary>
    string Name { get; }

    /// <summary>Cut <paramref name="nodeId"/> off; succeeds only when verified.</summary>
    Task<FenceResult> FenceAsync(int nodeId, CancellationToken cancellationToken = default);

    /// <summary>Let <paramref name="nodeId"/> back (for SCSI-3 PR: this node registers its own key; only the node itself can).</summary>
    Task<FenceResult> UnfenceAsync(int nodeId, CancellationToken cancellationToken = default);

    Task<FenceStatus> StatusAsync(int nodeId, CancellationToken cancellationToken = default);

    /// <summary>Node ids the device knows about (registered keys, configured outlets).</summary>
    Task<IReadOnlyList<int>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks that the device is reachable and usable (fence-agents "monitor"); throws with a clear message otherwise.</summary>
    Task VerifyAsync(CancellationToken cancellationToken = default);
}

namespace HwFence.Hal.Scsi;

/// <summary>
/// Executes CDBs on one logical unit through one path (SG_IO, SPTI, iSCSI, in-process).
/// Implementations: <c>SgIoTransport</c>, <c>SptiTransport</c> (Hal), <c>IscsiTransport</c> (Scsi),
/// <c>LoopbackTransport</c> (Emulator).
/// </summary>
public interface IScsiTransport : IAsyncDisposable
{
    /// <summary>The device address (design.md "Device addresses"), used in every error message.</summary>
    string Address { get; }

    /// <summary>
    /// Increments every time the I_T nexus this transport speaks through was lost and re-created
    /// (iSCSI reconnect, device reopened). A new nexus has no PR registration and no SPC-2
    /// reservation; fencing compares generations to re-register.
    /// </summary>
    long NexusGeneration { get; }

    /// <summary>Raised after the nexus was lost and re-created; the argument is the new generation.</summary>
    event Action<long>? NexusReplaced;

    /// <summary>
    /// Executes <paramref name="cdb"/>. <paramref name="data"/> is read from for
    /// <see cref="DataDirection.ToDevice"/> and written to for <see cref="DataDirection.FromDevice"/>.
    /// Sense bytes (if any) are copied into <paramref name="sense"/>. Never allocates per call in
    /// steady state. Throws <see cref="ScsiTransportException"/> when no status came back.
    /// </summary>
    ValueTask<ScsiCommandResult> ExecuteAsync(
        ReadOnlyMemory<byte> cdb,
        DataDirection direction,
        Memory<byte> data,
        Memory<byte> sense,
        TimeSpan timeout,
        CancellationToken cancellationToken = default);
}

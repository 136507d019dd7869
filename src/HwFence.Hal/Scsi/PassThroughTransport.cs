namespace HwFence.Hal.Scsi;

/// <summary>
/// What the operating-system pass-through transports (<see cref="SgIoTransport"/>,
/// <see cref="SptiTransport"/>) share: the ioctl blocks the calling thread until the device answers,
/// so <see cref="ExecuteAsync"/> runs <see cref="Execute"/> synchronously and returns a completed
/// ValueTask (no allocation); the open device handle keeps its I_T nexus until it is closed, so the
/// nexus generation never moves.
/// </summary>
public abstract class PassThroughTransport : IScsiTransport
{
    private protected PassThroughTransport(string address) => Address = address;

    /// <inheritdoc/>
    public string Address { get; }

    /// <summary>Always 0: an open device handle keeps its nexus for its whole life.</summary>
    public long NexusGeneration => 0;

    /// <summary>Never raised (see <see cref="NexusGeneration"/>).</summary>
    public event Action<long>? NexusReplaced
    {
        add { }
        remove { }
    }

    /// <inheritdoc/>
    public ValueTask<ScsiCommandResult> ExecuteAsync(
        ReadOnlyMemory<byte> cdb,
        DataDirection direction,
        Memory<byte> data,
        Memory<byte> sense,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        // A command already handed to the kernel cannot be cancelled; one not yet sent can.
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ScsiCommandResult>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(Execute(cdb.Span, direction, data.Span, sense.Span, timeout));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<ScsiCommandResult>(ex);
        }
    }

    /// <summary>Executes the CDB on the calling thread, blocking until the device answers or the timeout expires.</summary>
    public abstract ScsiCommandResult Execute(ReadOnlySpan<byte> cdb, DataDirection direction, Span<byte> data, Span<byte> sense, TimeSpan timeout);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();
}

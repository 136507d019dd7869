using HwFence.Hal.Scsi;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>A transport decorator that forwards everything to <paramref name="inner"/>; tests override <see cref="ExecuteAsync"/> to inject target behaviour.</summary>
internal class ForwardingTransport(IScsiTransport inner) : IScsiTransport
{
    protected IScsiTransport Inner => inner;

    public string Address => inner.Address;

    public long NexusGeneration => inner.NexusGeneration;

    public event Action<long>? NexusReplaced
    {
        add => inner.NexusReplaced += value;
        remove => inner.NexusReplaced -= value;
    }

    public virtual ValueTask<ScsiCommandResult> ExecuteAsync(ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data,
        Memory<byte> sense, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        inner.ExecuteAsync(cdb, direction, data, sense, timeout, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

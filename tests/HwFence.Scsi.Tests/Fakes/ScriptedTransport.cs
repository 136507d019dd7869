using HwFence.Hal.Scsi;

namespace HwFence.Scsi.Tests.Fakes;

/// <summary>
/// A seam for <see cref="ScsiDevice"/> unit tests: answers each CDB with the next scripted reply
/// (status, sense, data-in bytes) and records what was sent. Completes synchronously and, once the
/// script is set up, allocates nothing per command (a repeating reply is reused).
/// </summary>
internal sealed class ScriptedTransport(string address = "fake:lu0") : IScsiTransport
{
    public sealed record Reply(ScsiStatus Status, byte[]? Sense = null, byte[]? Data = null, int? Residual = null);

    private readonly Queue<Reply> _script = new();
    private readonly byte[] _lastCdb = new byte[16];

    public string Address { get; } = address;

    public long NexusGeneration => 1;

    public event Action<long>? NexusReplaced
    {
        add { }
        remove { }
    }

    /// <summary>Used when the script is empty.</summary>
    public Reply Default { get; set; } = new(ScsiStatus.Good);

    /// <summary>Record every CDB and data-out (allocates; switch off for allocation tests).</summary>
    public bool Record { get; set; } = true;

    public List<byte[]> Cdbs { get; } = [];

    public List<byte[]> DataOut { get; } = [];

    public List<TimeSpan> Timeouts { get; } = [];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> LastCdb => _lastCdb;

    public bool Disposed { get; private set; }

    public ScriptedTransport Then(ScsiStatus status, byte[]? sense = null, byte[]? data = null, int? residual = null)
    {
        _script.Enqueue(new Reply(status, sense, data, residual));
        return this;
    }

    public ValueTask<ScsiCommandResult> ExecuteAsync(
        ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, Memory<byte> sense, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Count++;
        cdb.Span.CopyTo(_lastCdb);
        if (Record)
        {
            Cdbs.Add(cdb.ToArray());
            Timeouts.Add(timeout);
            if (direction == DataDirection.ToDevice)
            {
                DataOut.Add(data.ToArray());
            }
        }

        var reply = _script.Count > 0 ? _script.Dequeue() : Default;
        int senseLength = 0;
        if (reply.Sense is { } s)
        {
            senseLength = Math.Min(s.Length, sense.Length);
            s.AsSpan(0, senseLength).CopyTo(sense.Span);
        }

        int residual = 0;
        if (direction == DataDirection.FromDevice)
        {
            int n = reply.Data is null ? 0 : Math.Min(reply.Data.Length, data.Length);
            reply.Data?.AsSpan(0, n).CopyTo(data.Span);
            residual = reply.Residual ?? data.Length - n;
        }

        return ValueTask.FromResult(new ScsiCommandResult(reply.Status, senseLength, residual));
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

using HwFence.Emulator.Nexus;

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// One command in a logical unit's task set (SAM-5 §8): queued when the transport received it,
/// executed once its data-out is complete, or aborted before that (ABORT TASK, ABORT TASK SET,
/// LOGICAL UNIT RESET, PREEMPT AND ABORT, nexus loss). Reusable: transports keep a pool and call
/// <see cref="Prepare"/> for each command, so steady-state I/O does not allocate.
/// </summary>
public sealed class ScsiTask
{
    private const int Idle = 0, Queued = 1, Executing = 2, Done = 3, Aborted = 4;
    private readonly byte[] _cdb = new byte[16];
    private CancellationTokenSource _abort = new();
    private int _state;

    /// <summary>The nexus the command arrived on.</summary>
    public ItNexus Nexus { get; private set; } = null!;

    /// <summary>Initiator task tag (iSCSI ITT) or the loopback transport's sequence number.</summary>
    public uint Tag { get; private set; }

    public int CdbLength { get; private set; }

    public ReadOnlySpan<byte> Cdb => _cdb.AsSpan(0, CdbLength);

    /// <summary>Cancelled when the task is aborted; transports waiting on data or faults watch it.</summary>
    public CancellationToken AbortToken => _abort.Token;

    public bool IsAborted => Volatile.Read(ref _state) == Aborted;

    /// <summary>
    /// True when the abort came from another I_T nexus (PREEMPT AND ABORT, a reset by another
    /// initiator): with TAS=1 the task then ends with TASK ABORTED status (SAM-5 §5.6). False when
    /// the nexus itself aborted it (ABORT TASK, its own timeout): no status is returned.
    /// </summary>
    public bool AbortedWithStatus { get; private set; }

    /// <summary>Sets up the task for a new command; returns false if the CDB is longer than 16 bytes.</summary>
    public bool Prepare(ItNexus nexus, uint tag, ReadOnlySpan<byte> cdb)
    {
        if (cdb.Length > _cdb.Length)
        {
            return false;
        }

        if (!_abort.TryReset())
        {
            _abort.Dispose();
            _abort = new CancellationTokenSource();
        }

        Nexus = nexus;
        Tag = tag;
        AbortedWithStatus = false;
        cdb.CopyTo(_cdb);
        _cdb.AsSpan(cdb.Length).Clear();
        CdbLength = cdb.Length;
        Volatile.Write(ref _state, Queued);
        return true;
    }

    /// <summary>Queued → executing; false when the task was aborted meanwhile.</summary>
    internal bool TryStart() => Interlocked.CompareExchange(ref _state, Executing, Queued) == Queued;

    internal void Complete() => Volatile.Write(ref _state, Done);

    /// <summary>Aborts a queued task; false if it already executes or finished.</summary>
    internal bool TryAbort(bool withStatus = false)
    {
        if (Interlocked.CompareExchange(ref _state, Aborted, Queued) != Queued)
        {
            return false;
        }

        AbortedWithStatus = withStatus;

        try
        {
            _abort.Cancel();
        }
        catch (AggregateException)
        {
            // A continuation registered by a transport threw; the abort itself stands.
        }

        return true;
    }
}

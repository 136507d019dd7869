using System.Threading.Tasks.Sources;
using HwFence.Hal.Scsi;

namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>
/// One reusable task slot of a session: its Initiator Task Tag, the caller's buffers, a timer and the
/// awaitable the caller waits on (a reusable <see cref="IValueTaskSource{TResult}"/>, so a command
/// allocates nothing). A slot goes back to the free list only when both the caller has taken the result
/// and the target is done with the tag (response received, task aborted, or connection gone) — a
/// timed-out task's tag is never reused while the target may still answer it.
/// </summary>
internal sealed class IscsiCommandSlot : IValueTaskSource<ScsiCommandResult>
{
    /// <summary>Tag bits that select the slot; the bits above count the slot's uses (stale answers don't match).</summary>
    public const int IndexBits = 12;
    public const uint IndexMask = (1u << IndexBits) - 1;

    private readonly IscsiSession _owner;
    private ManualResetValueTaskSourceCore<ScsiCommandResult> _core;
    private uint _uses;
    private int _completed;
    private int _targetDone;
    private int _refs;
    private int _timerArmed;

    public IscsiCommandSlot(IscsiSession owner, int index, TimeProvider time, bool inlineCompletions)
    {
        _owner = owner;
        Index = index;
        _core.RunContinuationsAsynchronously = !inlineCompletions;
        Timer = time.CreateTimer(static s => ((IscsiCommandSlot)s!).OnTimer(), this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
    }

    public int Index { get; }

    /// <summary>The ITT of the current use.</summary>
    public uint Tag { get; private set; }

    /// <summary>The connection the current use was sent on.</summary>
    public IscsiConnection? Connection { get; set; }

    public ITimer Timer { get; }

    public ulong Lun { get; private set; }

    public DataDirection Direction { get; private set; }

    public Memory<byte> Data { get; private set; }

    public Memory<byte> Sense { get; private set; }

    public uint CmdSN { get; set; }

    /// <summary>The CDB's opcode, for error messages.</summary>
    public byte Operation { get; private set; }

    /// <summary>Bytes received by Data-In so far (for the residual when the target reports none).</summary>
    public int Received { get; set; }

    public TimeSpan Timeout { get; private set; }

    /// <summary>When the current use began (TimeProvider timestamp), to ignore a timer left from the previous use.</summary>
    public long StartTimestamp { get; set; }

    public bool IsActive => Volatile.Read(ref _refs) > 0;

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public short Version => _core.Version;

    /// <summary>Prepares the slot for a new command (slot taken from the free list).</summary>
    public void Begin(ulong lun, byte operation, DataDirection direction, Memory<byte> data, Memory<byte> sense, TimeSpan timeout)
    {
        _uses = (_uses + 1) & ((1u << (31 - IndexBits)) - 1);
        Tag = (uint)Index | (_uses << IndexBits); // bit 31 stays clear: NOP-Out pings and TMFs use it
        Lun = lun;
        Operation = operation;
        Direction = direction;
        Data = data;
        Sense = sense;
        Timeout = timeout;
        Received = 0;
        _core.Reset();
        Volatile.Write(ref _completed, 0);
        Volatile.Write(ref _targetDone, 0);
        Volatile.Write(ref _timerArmed, 0);
        Volatile.Write(ref _refs, 2);
    }

    /// <summary>Completes the caller's wait with a result; false if it already completed (e.g. timed out).</summary>
    public bool TryComplete(ScsiCommandResult result)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        DisarmTimer();
        _core.SetResult(result);
        return true;
    }

    /// <summary>Fails the caller's wait; false if it already completed.</summary>
    public bool TryFail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        DisarmTimer();
        _core.SetException(error);
        return true;
    }

    /// <summary>
    /// Starts the command timeout. Only commands not answered on their caller's thread need it (saves
    /// two timer-queue updates per command); if the command completed meanwhile, the timer is stopped again.
    /// </summary>
    public void ArmTimer(TimeSpan dueTime)
    {
        Interlocked.Exchange(ref _timerArmed, 1);
        Timer.Change(dueTime, System.Threading.Timeout.InfiniteTimeSpan);
        if (IsCompleted)
        {
            Timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    private void DisarmTimer()
    {
        if (Volatile.Read(ref _timerArmed) != 0)
        {
            Timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The target will not mention this tag again.</summary>
    public void MarkTargetDone()
    {
        if (Interlocked.Exchange(ref _targetDone, 1) == 0)
        {
            _owner.OnTargetDone();
            Release();
        }
    }

    public ScsiCommandResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            Data = default;
            Sense = default;
            Connection = null;
            _owner.ReturnSlot(this);
        }
    }

    private void OnTimer() => _owner.OnCommandTimeout(this);

    /// <summary>The caller's CancellationToken fired.</summary>
    public void OnCanceled() => _owner.OnCommandCanceled(this);
}

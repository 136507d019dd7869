using HwFence.Scsi.Sense;

namespace HwFence.Scsi.UnitAttention;

/// <summary>
/// Consumes UNIT ATTENTION conditions. A logical unit answers the first command after a power-on,
/// reset, nexus loss or reservation change of another initiator with CHECK CONDITION / UNIT
/// ATTENTION and does not execute it (SAM-5 §5.14, SPC-4 §5.14); the initiator must note the
/// event and re-issue the command. Several conditions can be queued, so the retry is bounded by
/// <see cref="RetryLimit"/>. Every condition seen is raised on <see cref="Seen"/> and kept in a
/// short history, so that fencing learns "REGISTRATIONS PREEMPTED" even though the command that
/// carried it was retried transparently.
/// </summary>
public sealed class UnitAttentionHandler
{
    /// <summary>How many past conditions <see cref="Recent"/> keeps.</summary>
    public const int HistoryLength = 32;

    private readonly TimeProvider _time;
    private readonly Queue<UnitAttentionEvent> _history = new(HistoryLength);
    private readonly Lock _historyLock = new();
    private long _count;

    public UnitAttentionHandler(int retryLimit, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retryLimit);
        RetryLimit = retryLimit;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Re-issues allowed per command after a UNIT ATTENTION; 0 reports every UA to the caller.</summary>
    public int RetryLimit { get; }

    /// <summary>Raised for every condition consumed, on the thread that executed the command.</summary>
    public event Action<UnitAttentionEvent>? Seen;

    /// <summary>Total conditions seen since this handler was created.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The last <see cref="HistoryLength"/> conditions, oldest first.</summary>
    public IReadOnlyList<UnitAttentionEvent> Recent
    {
        get
        {
            lock (_historyLock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>
    /// Looks at one command's sense. When it is a current (not deferred) UNIT ATTENTION, records it
    /// and returns its kind; <paramref name="retry"/> says whether the command may be re-issued
    /// (<paramref name="attempts"/> UAs were already consumed for it). Returns
    /// <see cref="UnitAttentionKind.None"/> for anything else.
    /// </summary>
    public UnitAttentionKind Observe(string device, string command, in SenseData sense, int attempts, out bool retry)
    {
        retry = false;
        if (!sense.IsUnitAttention || sense.Deferred)
        {
            return UnitAttentionKind.None;
        }

        var kind = UnitAttentionClassifier.Classify(sense.Additional);
        var ev = new UnitAttentionEvent(device, command, sense.Additional, kind, _time.GetUtcNow());
        Interlocked.Increment(ref _count);
        lock (_historyLock)
        {
            if (_history.Count == HistoryLength)
            {
                _history.Dequeue();
            }

            _history.Enqueue(ev);
        }

        Seen?.Invoke(ev);
        retry = attempts < RetryLimit;
        return kind;
    }
}

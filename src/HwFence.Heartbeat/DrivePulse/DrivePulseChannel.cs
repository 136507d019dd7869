using HwFence.Heartbeat.Frames;
using HwFence.Scsi;

namespace HwFence.Heartbeat.DrivePulse;

/// <summary>
/// The drive pulse on one shared disk: every interval (a timer from the injected
/// <see cref="TimeProvider"/>) this node first watches (reads the peers' pulse and reports one
/// <see cref="HeartbeatReceipt"/> per observed change), then pulses (changes its own). When a
/// command cannot reach the disk, or the disk answers with something other than the expected
/// states, the path is reported locally unusable — "the disk is unreachable from here", which says
/// nothing about the peers — and usable again on the first clean round.
/// </summary>
public abstract class DrivePulseChannel : IHeartbeatChannel
{
    private readonly ChannelCallbacks _callbacks;
    private readonly PathStateReporter _state;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _round = new(1, 1);
    private ITimer? _timer;
    private volatile bool _disposed;

    protected DrivePulseChannel(HeartbeatIdentity identity, DrivePulseOptions options, ScsiDevice device, ChannelCallbacks callbacks, TimeProvider time)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        Identity = identity;
        Options = options;
        Device = device;
        Time = time;
        _callbacks = callbacks;
        Path = options.Path;
        Counters = new ChannelCounters();
        _state = new PathStateReporter(Path, callbacks.Heartbeats);
    }

    /// <summary>Creates the channel for <see cref="DrivePulseOptions.Kind"/>.</summary>
    public static DrivePulseChannel Create(HeartbeatIdentity identity, DrivePulseOptions options, ScsiDevice device, ChannelCallbacks callbacks, TimeProvider time) =>
        options.Kind switch
        {
            DrivePulseKind.ReserveToggle => new ReserveTogglePulse(identity, options, device, callbacks, time),
            DrivePulseKind.PrGeneration => new PrGenerationPulse(identity, options, device, callbacks, time),
            DrivePulseKind.DiskSlot => new DiskSlotPulse(identity, options, device, callbacks, time),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown drive pulse kind"),
        };

    public PathId Path { get; }

    /// <summary>Sent = pulses written, Accepted = peer pulse changes reported, SendErrors = failed rounds.</summary>
    public ChannelCounters Counters { get; }

    public bool LocallyUsable => _state.Usable;

    /// <summary>The reason of the last "unusable" report.</summary>
    public string? LastProblem => _state.LastReason;

    protected HeartbeatIdentity Identity { get; }
    protected DrivePulseOptions Options { get; }
    protected ScsiDevice Device { get; }
    protected TimeProvider Time { get; }

    /// <summary>
    /// Checks the disk can carry this pulse (throws <see cref="DrivePulseException"/> for a
    /// configuration the operator must fix, e.g. an uninitialised slot area), then starts the timer.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        _timer ??= Time.CreateTimer(static s => _ = ((DrivePulseChannel)s!).RoundFromTimerAsync(), this, Options.Interval, Options.Interval);
    }

    /// <inheritdoc/>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    /// <summary>
    /// One watch-then-pulse round, now. The timer calls it every interval; tests call it directly to
    /// step the protocol. Never throws for disk trouble: that is reported as path state.
    /// </summary>
    public async Task RoundAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await _round.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // disposed while waiting for the previous round
        }

        try
        {
            if (Options.Watch)
            {
                await WatchAsync(_stop.Token).ConfigureAwait(false);
            }

            if (Options.Pulse)
            {
                await PulseAsync(_stop.Token).ConfigureAwait(false);
                Counters.OnSent();
            }

            _state.Report(true, null);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Counters.OnSendError();
            _state.Report(false, $"{Path}: {Describe(e)}");
        }
        finally
        {
            _round.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer?.Dispose();
        _stop.Cancel();
        OnDisposing();
    }

    /// <summary>Checks the disk before the first round (header, block size…).</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Reads the peers' pulse and calls <see cref="Heard"/> for each change.</summary>
    protected abstract ValueTask WatchAsync(CancellationToken cancellationToken);

    /// <summary>Changes this node's pulse.</summary>
    protected abstract ValueTask PulseAsync(CancellationToken cancellationToken);

    /// <summary>Best-effort clean-up on dispose (e.g. release a held reservation).</summary>
    protected virtual void OnDisposing()
    {
    }

    /// <summary>Reports an observed change of a peer's pulse.</summary>
    protected void Heard(int peerNodeId, ulong incarnation, ulong sequence)
    {
        Counters.OnAccepted();
        _callbacks.Heartbeats.OnHeartbeat(new HeartbeatReceipt(peerNodeId, Path, incarnation, sequence, Time.GetTimestamp()));
    }

    /// <summary>Throws <see cref="DrivePulseException"/> unless the outcome is GOOD.</summary>
    protected static void RequireGood(in ScsiOutcome outcome)
    {
        if (!outcome.IsGood)
        {
            throw new DrivePulseException($"{outcome} — {ScsiCommandException.Remedy(outcome)}");
        }
    }

    private async Task RoundFromTimerAsync()
    {
        if (_round.CurrentCount == 0)
        {
            return; // the previous round is still waiting on the disk (a hung command): never queue rounds
        }

        await RoundAsync().ConfigureAwait(false);
    }

    private static string Describe(Exception e) => e switch
    {
        DrivePulseException d => d.Message,
        IOException io => $"disk unreachable from this node: {io.Message}",
        _ => $"drive pulse failed: {e.Message}",
    };
}

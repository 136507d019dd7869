using System.Collections.Concurrent;
using HwFence.Emulator.LogicalUnits;
using HwFence.Emulator.Nexus;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Loopback;

/// <summary>
/// An in-process <see cref="IScsiTransport"/> onto an <see cref="EmulatedTarget"/>: CDBs execute
/// directly against the logical unit, through the target's loopback port (relative target port 2),
/// as one initiator port (initiator name + ISID). Faults apply as they do over iSCSI. The I_T nexus
/// is created on first use; after it is lost (<see cref="SimulateNexusLoss"/>, a "drop connection"
/// fault, a target stop) the next command creates a new one, bumps <see cref="NexusGeneration"/> and
/// raises <see cref="NexusReplaced"/> — what an iSCSI initiator does when it reconnects.
/// Thread-safe; commands without faults complete synchronously and allocate nothing. Task management
/// (<see cref="IScsiTaskManagement"/>) applies to the emulated unit as an iSCSI TMF request would.
/// </summary>
public sealed class LoopbackTransport : IScsiTransport, IScsiTaskManagement
{
    private readonly EmulatedTarget _target;
    private readonly InitiatorPortId _initiator;
    private readonly ulong _lun;
    private readonly ConcurrentBag<ScsiTask> _pool = new();
    private readonly object _gate = new();
    private ItNexus? _nexus;
    private long _generation;
    private int _tag;
    private bool _disposed;

    internal LoopbackTransport(EmulatedTarget target, string address, InitiatorPortId initiator, ulong lun)
    {
        _target = target;
        _initiator = initiator;
        _lun = lun;
        Address = address;
        _target.DropRequested += OnDropRequested;
        _target.Stopped += OnStopped;
    }

    public string Address { get; }

    /// <summary>The initiator port this transport speaks as.</summary>
    public InitiatorPortId Initiator => _initiator;

    /// <summary>1 for the first nexus, +1 for every replacement.</summary>
    public long NexusGeneration => Interlocked.Read(ref _generation);

    public event Action<long>? NexusReplaced;

    /// <summary>The current nexus (created if needed), e.g. to inspect reservations in tests.</summary>
    public ItNexus Nexus => EnsureNexus(out _);

    /// <summary>Loses the I_T nexus now, as a dropped TCP connection would; the next command re-creates it.</summary>
    public void SimulateNexusLoss()
    {
        ItNexus? lost;
        lock (_gate)
        {
            lost = _nexus;
            _nexus = null;
        }

        if (lost is not null)
        {
            _target.CloseNexus(lost);
        }
    }

    public ValueTask<ScsiCommandResult> ExecuteAsync(ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data,
        Memory<byte> sense, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var nexus = Begin("SCSI command", cancellationToken);
        if (!_pool.TryTake(out var task))
        {
            task = new ScsiTask();
        }

        if (!task.Prepare(nexus, (uint)Interlocked.Increment(ref _tag), cdb.Span))
        {
            _pool.Add(task);
            throw new ArgumentException($"device {Address}: CDB of {cdb.Length} bytes is longer than 16", nameof(cdb));
        }

        ReadOnlyMemory<byte> dataOut = direction == DataDirection.ToDevice ? data : default;
        Memory<byte> dataIn = direction == DataDirection.FromDevice ? data : default;
        var pending = _target.ExecuteAsync(task, _lun, dataOut, dataIn, sense);
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            return new ValueTask<ScsiCommandResult>(Finish(task, outcome, direction, data.Length));
        }

        return AwaitAsync(task, pending, direction, data.Length, timeout, cancellationToken);
    }

    private async ValueTask<ScsiCommandResult> AwaitAsync(ScsiTask task, ValueTask<CommandOutcome> pending, DataDirection direction,
        int length, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var completion = pending.AsTask();
        using var timeoutCts = new CancellationTokenSource(timeout, _target.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        try
        {
            await completion.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The initiator gives up: abort the task (ABORT TASK), as an iSCSI initiator would.
            _target.Find(_lun)?.Forget(task);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new ScsiTransportException(Address, ScsiTransportError.Timeout,
                $"command did not complete within {timeout.TotalMilliseconds:0} ms (is a 'hang' fault injected for {_initiator.Name}?)");
        }

        return Finish(task, completion.Result, direction, length);
    }

    /// <summary>LOGICAL UNIT RESET (SAM-5 §7.7): aborts every task, releases RESERVE(6), keeps PR, UA 29h/03h for every nexus.</summary>
    public Task LogicalUnitResetAsync(CancellationToken cancellationToken = default)
    {
        var nexus = Begin("LOGICAL UNIT RESET", cancellationToken);
        var unit = _target.Find(_lun) ?? throw new ScsiTransportException(Address, ScsiTransportError.DeviceMissing,
            $"LOGICAL UNIT RESET: the emulated target has no LUN {_lun} (TMF response LUN DOES NOT EXIST)");
        unit.Reset(AdditionalSense.BusDeviceResetFunctionOccurred, $"LOGICAL UNIT RESET by {nexus}", nexus);
        return Task.CompletedTask;
    }

    /// <summary>TARGET WARM RESET (RFC 7143 §11.5.1): resets every LUN, UA 29h/00h for every nexus.</summary>
    public Task TargetResetAsync(CancellationToken cancellationToken = default)
    {
        var nexus = Begin("TARGET WARM RESET", cancellationToken);
        _target.Reset(cold: false, nexus);
        return Task.CompletedTask;
    }

    private ItNexus Begin(string function, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_target.IsStopped)
        {
            throw new ScsiTransportException(Address, ScsiTransportError.ConnectionLost,
                $"{function}: the emulated target is stopped (power off); start it again or wait for the test to do so");
        }

        var nexus = EnsureNexus(out long replacedBy);
        if (replacedBy != 0)
        {
            NexusReplaced?.Invoke(replacedBy);
        }

        return nexus;
    }

    private ScsiCommandResult Finish(ScsiTask task, CommandOutcome outcome, DataDirection direction, int length)
    {
        bool aborted = outcome.Status == ScsiStatus.TaskAborted;
        bool lost = task.Nexus.IsLost;
        bool withStatus = task.AbortedWithStatus;
        _pool.Add(task);
        if (aborted && lost)
        {
            throw new ScsiTransportException(Address, ScsiTransportError.ConnectionLost,
                "the I_T nexus was lost before the command completed; its outcome is unknown — re-check reservations (NexusGeneration changed)");
        }

        if (aborted && !withStatus)
        {
            throw new ScsiTransportException(Address, ScsiTransportError.Aborted,
                "the command was aborted by task management on this nexus before it executed");
        }

        int residual = direction == DataDirection.None ? 0 : length - outcome.TransferLength;
        return new ScsiCommandResult(outcome.Status, outcome.SenseLength, residual);
    }

    private ItNexus EnsureNexus(out long replacedBy)
    {
        replacedBy = 0;
        lock (_gate)
        {
            if (_nexus is { IsLost: false } n)
            {
                return n;
            }

            _nexus = _target.OpenNexus(_initiator, _target.LoopbackPort);
            long gen = Interlocked.Increment(ref _generation);
            if (gen > 1)
            {
                replacedBy = gen;
            }

            return _nexus;
        }
    }

    private void OnDropRequested(string? initiatorName)
    {
        if (initiatorName is null || initiatorName == _initiator.Name)
        {
            SimulateNexusLoss();
        }
    }

    private void OnStopped() => SimulateNexusLoss();

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _target.DropRequested -= OnDropRequested;
            _target.Stopped -= OnStopped;
            SimulateNexusLoss();
        }

        return ValueTask.CompletedTask;
    }
}

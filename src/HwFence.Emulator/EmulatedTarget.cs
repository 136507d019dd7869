using HwFence.Emulator.Faults;
using HwFence.Emulator.LogicalUnits;
using HwFence.Emulator.Nexus;
using HwFence.Emulator.Reservations;
using HwFence.Emulator.Storage;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator;

/// <summary>
/// An emulated SCSI target device: its logical units, its two target ports (relative port 1 is
/// the iSCSI portal group, 2 the in-process loopback port), the live I_T nexuses, the fault plan,
/// and the command path every transport uses (<see cref="ExecuteAsync"/>): faults, then the task
/// set, then the device server.
/// </summary>
public sealed class EmulatedTarget : IDisposable
{
    private readonly EmulatedLogicalUnit[] _units;
    private readonly ushort[] _lunNumbers;
    private readonly TargetPortId[] _ports;
    private readonly List<ItNexus> _nexuses = new();
    private readonly TimeProvider _time;

    public EmulatedTarget(string iqn, IReadOnlyList<(IBlockStore Store, IAptplStore Aptpl)> media, EmulatedTargetOptions options)
    {
        options.Validate();
        Iqn = iqn;
        _time = options.Time;
        Log = options.Log;
        IscsiPort = new TargetPortId(iqn, 1);
        LoopbackPort = new TargetPortId(iqn, 2);
        _ports = [IscsiPort, LoopbackPort];
        _lunNumbers = Enumerable.Range(0, media.Count).Select(i => (ushort)i).ToArray();
        _units = new EmulatedLogicalUnit[media.Count];
        for (int i = 0; i < media.Count; i++)
        {
            _units[i] = new EmulatedLogicalUnit((ushort)i, media[i].Store, media[i].Aptpl, options.LogicalUnit, options.Log, () => _ports, () => _lunNumbers);
        }
    }

    public string Iqn { get; }

    public IEmulatorLog Log { get; }

    public TimeProvider Time => _time;

    /// <summary>Relative target port 1: the iSCSI target portal group (TPGT 1).</summary>
    public TargetPortId IscsiPort { get; }

    /// <summary>Relative target port 2: in-process <see cref="Loopback.LoopbackTransport"/> connections.</summary>
    public TargetPortId LoopbackPort { get; }

    public IReadOnlyList<EmulatedLogicalUnit> LogicalUnits => _units;

    public FaultPlan Faults { get; } = new();

    /// <summary>Raised when a fault asks to drop the connections of an initiator (null: every initiator).</summary>
    public event Action<string?>? DropRequested;

    /// <summary>Raised when the target is stopped (power off): transports close every connection.</summary>
    public event Action? Stopped;

    /// <summary>True between <see cref="Stop"/> and <see cref="Start"/>: logins are refused.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The unit with this LUN, or null.</summary>
    public EmulatedLogicalUnit? Find(ulong lun) => lun < (ulong)_units.Length ? _units[lun] : null;

    /// <summary>Creates an I_T nexus for a login (or a loopback connection).</summary>
    public ItNexus OpenNexus(InitiatorPortId initiator, TargetPortId port)
    {
        var nexus = new ItNexus(initiator, port);
        lock (_nexuses)
        {
            _nexuses.Add(nexus);
        }

        return nexus;
    }

    /// <summary>The nexus is gone (logout, connection loss): every unit forgets its tasks and SPC-2 reservation.</summary>
    public void CloseNexus(ItNexus nexus)
    {
        if (!nexus.MarkLost())
        {
            return;
        }

        lock (_nexuses)
        {
            _nexuses.Remove(nexus);
        }

        foreach (var u in _units)
        {
            u.NexusLost(nexus);
        }
    }

    /// <summary>Live nexuses, for status output.</summary>
    public IReadOnlyList<ItNexus> Nexuses
    {
        get
        {
            lock (_nexuses)
            {
                return _nexuses.ToArray();
            }
        }
    }

    /// <summary>Fault: drop the connections (and so the nexuses) of <paramref name="initiatorName"/>, or of everyone.</summary>
    public void DropConnections(string? initiatorName)
    {
        Log.Info(initiatorName is null ? "fault: dropping every connection" : $"fault: dropping the connections of {initiatorName}");
        DropRequested?.Invoke(initiatorName);
    }

    /// <summary>Fault: every LUN reports NOT READY (LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED) until set back.</summary>
    public void SetNotReady(bool notReady)
    {
        Log.Info(notReady ? "fault: logical units not ready" : "fault cleared: logical units ready");
        foreach (var u in _units)
        {
            u.SetNotReady(notReady ? AdditionalSense.LogicalUnitNotReadyManualIntervention : null);
        }
    }

    /// <summary>TARGET WARM/COLD RESET (RFC 7143 §11.5.1): resets every LUN; a cold reset also drops every connection.</summary>
    public void Reset(bool cold, ItNexus? issuer)
    {
        Log.Info($"target {(cold ? "cold" : "warm")} reset" + (issuer is null ? "" : $" by {issuer}"));
        foreach (var u in _units)
        {
            u.Reset(AdditionalSense.PowerOnResetOrBusDeviceResetOccurred, cold ? "target cold reset" : "target warm reset", issuer);
        }

        if (cold)
        {
            DropRequested?.Invoke(null);
        }
    }

    /// <summary>
    /// Stops the target as a power loss would: every connection drops and logins are refused
    /// until <see cref="Start"/>. Non-persistent state is lost; APTPL registrations are kept.
    /// </summary>
    public void Stop()
    {
        IsStopped = true;
        Log.Info("target stopped (power off)");
        Stopped?.Invoke();
        DropRequested?.Invoke(null);
        foreach (var n in Nexuses)
        {
            CloseNexus(n);
        }

        foreach (var u in _units)
        {
            u.PowerCycle();
        }
    }

    /// <summary>Power on after <see cref="Stop"/>.</summary>
    public void Start()
    {
        IsStopped = false;
        Log.Info("target started (power on)");
    }

    /// <summary>
    /// The command path of every transport: injected faults for the initiator (fail, hang, latency),
    /// then the logical unit. The task must have been prepared; it is enqueued here. Returns TASK
    /// ABORTED when the task was aborted while waiting (<see cref="ScsiTask.AbortedWithStatus"/> tells
    /// whether the initiator should see that status).
    /// </summary>
    public ValueTask<CommandOutcome> ExecuteAsync(ScsiTask task, ulong lun, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, Memory<byte> sense)
    {
        var unit = Find(lun);
        if (unit is null)
        {
            return new ValueTask<CommandOutcome>(ExecuteWithoutUnit(task.Cdb, dataIn.Span, sense.Span));
        }

        var faults = Faults.Lookup(task.Nexus.Initiator.Name);
        if (faults is null)
        {
            if (task.Nexus.IsLost)
            {
                return new ValueTask<CommandOutcome>(CommandOutcome.TaskAborted);
            }

            // Fast path: no await, no allocation; Execute(task, …) removes it from the task set itself.
            return new ValueTask<CommandOutcome>(unit.Execute(task, dataOut.Span, dataIn.Span, sense.Span));
        }

        unit.Enqueue(task);
        return WithFaultsAsync(unit, faults, task, dataOut, dataIn, sense);
    }

    /// <summary>Enqueues a task that waits for data-out (iSCSI R2T) so it can be aborted meanwhile.</summary>
    public void Enqueue(ScsiTask task, ulong lun) => Find(lun)?.Enqueue(task);

    private async ValueTask<CommandOutcome> WithFaultsAsync(EmulatedLogicalUnit unit, InitiatorFaults faults, ScsiTask task,
        ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, Memory<byte> sense)
    {
        if (faults.TryConsumeFailure(out var status, out var key, out var asc))
        {
            unit.Forget(task);
            if (status != ScsiStatus.CheckCondition)
            {
                return new CommandOutcome(status, 0, 0);
            }

            Span<byte> b = stackalloc byte[SenseData.FixedLength];
            SenseData.WriteFixed(b, key, asc);
            int n = Math.Min(b.Length, sense.Length);
            b[..n].CopyTo(sense.Span);
            return new CommandOutcome(ScsiStatus.CheckCondition, n, 0);
        }

        try
        {
            if (faults.Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, task.AbortToken).ConfigureAwait(false);
            }

            var latency = faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _time, task.AbortToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return CommandOutcome.TaskAborted;
        }

        return unit.Execute(task, dataOut.Span, dataIn.Span, sense.Span);
    }

    /// <summary>
    /// Commands addressed to a LUN that does not exist (SPC-4 §6.6.2, SAM-5 §5.9.5):
    /// INQUIRY answers with PERIPHERAL QUALIFIER 011b, REPORT LUNS lists the LUNs, REQUEST SENSE
    /// reports LOGICAL UNIT NOT SUPPORTED, anything else is refused with it.
    /// </summary>
    private CommandOutcome ExecuteWithoutUnit(ReadOnlySpan<byte> cdb, Span<byte> dataIn, Span<byte> sense)
    {
        Span<byte> buf = stackalloc byte[SenseData.FixedLength];
        if (cdb.Length >= 6 && cdb[0] == ScsiOpcode.Inquiry && (cdb[1] & 0x01) == 0)
        {
            Span<byte> inq = stackalloc byte[36];
            inq.Clear();
            inq[0] = 0x7F; // qualifier 011b, type 1Fh: no logical unit here
            inq[2] = 0x06;
            inq[3] = 0x02;
            inq[4] = 31;
            int alloc = (cdb[3] << 8) | cdb[4];
            int n = Math.Min(Math.Min(36, alloc), dataIn.Length);
            inq[..n].CopyTo(dataIn);
            return CommandOutcome.Good(Math.Min(36, alloc));
        }

        if (cdb.Length >= 12 && cdb[0] == ScsiOpcode.ReportLuns)
        {
            var any = _units[0];
            var nexus = OpenNexus(new InitiatorPortId("report-luns", 0), IscsiPort);
            try
            {
                return any.Execute(nexus, cdb, default, dataIn, sense); // REPORT LUNS is exempt from unit attentions
            }
            finally
            {
                CloseNexus(nexus);
            }
        }

        int len;
        if (cdb.Length >= 6 && cdb[0] == ScsiOpcode.RequestSense)
        {
            len = SenseData.WriteFixed(buf, SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
            int n = Math.Min(Math.Min(len, cdb[4]), dataIn.Length);
            buf[..n].CopyTo(dataIn);
            return CommandOutcome.Good(Math.Min(len, (int)cdb[4]));
        }

        len = SenseData.WriteFixed(buf, SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
        int s = Math.Min(len, sense.Length);
        buf[..s].CopyTo(sense);
        return new CommandOutcome(ScsiStatus.CheckCondition, s, 0);
    }

    public void Dispose()
    {
        foreach (var u in _units)
        {
            u.Dispose();
        }
    }
}

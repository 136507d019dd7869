using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using HwFence.Emulator.Nexus;
using HwFence.Emulator.Reservations;
using HwFence.Emulator.Storage;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// The device server of one emulated direct-access logical unit (SPC-4, SBC-3) shared by many
/// initiators. Every decision is keyed by the I_T nexus the command arrived on. One lock orders
/// all commands, task management and reservation changes, so what the disk decides is
/// linearizable: once a PREEMPT returns, no later-executed command of the preempted nexus slips
/// through, and a command queued before it but not yet executed is checked against the new state.
/// Split by command family over <c>EmulatedLogicalUnit.*.cs</c>.
/// </summary>
public sealed partial class EmulatedLogicalUnit : IReservationEvents, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<long, NexusState> _byNexusId = new();
    private readonly Dictionary<string, NexusState> _byKey = new();
    private readonly PersistentReservationState _pr = new();
    private readonly IBlockStore _store;
    private readonly IAptplStore _aptpl;
    private readonly LogicalUnitOptions _options;
    private readonly IEmulatorLog _log;
    private readonly Func<IReadOnlyList<TargetPortId>> _targetPorts;
    private readonly Func<IReadOnlyList<ushort>> _luns;
    private readonly byte[] _naa = new byte[8];
    private readonly string _serial;
    private ItNexus? _spc2Holder;
    private AdditionalSense? _notReady;

    /// <param name="lun">This unit's LUN.</param>
    /// <param name="store">The medium.</param>
    /// <param name="aptpl">Where APTPL state lives; restored here when present.</param>
    /// <param name="options">Geometry and identity.</param>
    /// <param name="log">Reservation changes and resets are reported here.</param>
    /// <param name="targetPorts">The target ports of the owning target (ALL_TG_PT, VPD 0x83).</param>
    /// <param name="luns">Every LUN of the owning target (REPORT LUNS).</param>
    public EmulatedLogicalUnit(ushort lun, IBlockStore store, IAptplStore aptpl, LogicalUnitOptions options, IEmulatorLog log,
        Func<IReadOnlyList<TargetPortId>> targetPorts, Func<IReadOnlyList<ushort>> luns)
    {
        options.Validate();
        if (store.SizeBytes < options.BlockSize)
        {
            throw new ArgumentException($"emulated disk {store.Identity}: size {store.SizeBytes} is smaller than one {options.BlockSize}-byte block");
        }

        Lun = lun;
        _store = store;
        _aptpl = aptpl;
        _options = options;
        _log = log;
        _targetPorts = targetPorts;
        _luns = luns;
        BlockSize = options.BlockSize;
        BlockCount = store.SizeBytes / options.BlockSize;

        // Stable identifiers (SPC-4 §7.8.6): derived from the medium's identity and the LUN, so a
        // restarted emulator serving the same backing file reports the same NAA id and serial.
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{store.Identity}#{lun}"));
        hash.AsSpan(0, 8).CopyTo(_naa);
        _naa[0] = (byte)(0x30 | (_naa[0] & 0x0F)); // NAA 3: locally assigned (SPC-4 §7.8.6.6.4)
        _serial = Convert.ToHexString(hash, 8, 8);
        RestoreAptpl();
    }

    public ushort Lun { get; }

    public int BlockSize { get; }

    public long BlockCount { get; }

    /// <summary>VPD 0x80 PRODUCT SERIAL NUMBER.</summary>
    public string SerialNumber => _serial;

    /// <summary>The 8-byte NAA designator reported in VPD 0x83.</summary>
    public ReadOnlySpan<byte> NaaIdentifier => _naa;

    /// <summary>Raised (under the unit's lock; keep handlers short) after every reservation change, with a log line.</summary>
    public event Action<string>? ReservationChanged;

    /// <summary>PRgeneration, for tests and the CLI.</summary>
    public uint PrGeneration
    {
        get
        {
            lock (_gate)
            {
                return _pr.Generation;
            }
        }
    }

    /// <summary>The SPC-2 reservation holder, or null.</summary>
    public ItNexus? Spc2Holder
    {
        get
        {
            lock (_gate)
            {
                return _spc2Holder;
            }
        }
    }

    /// <summary>
    /// Executes a command outside any task set (tests, simple callers). <paramref name="dataIn"/>
    /// receives data-in, <paramref name="sense"/> sense bytes on CHECK CONDITION.
    /// </summary>
    public CommandOutcome Execute(ItNexus nexus, ReadOnlySpan<byte> cdb, ReadOnlySpan<byte> dataOut, Span<byte> dataIn, Span<byte> sense)
    {
        lock (_gate)
        {
            if (nexus.IsLost)
            {
                return CommandOutcome.TaskAborted;
            }

            return ExecuteLocked(nexus, StateFor(nexus), cdb, dataOut, dataIn, sense);
        }
    }

    /// <summary>Adds a received task to the nexus's task set so task management and PREEMPT AND ABORT can abort it.</summary>
    public void Enqueue(ScsiTask task)
    {
        lock (_gate)
        {
            if (task.Nexus.IsLost)
            {
                task.TryAbort();
                return;
            }

            var tasks = StateFor(task.Nexus).Tasks;
            if (!tasks.Contains(task))
            {
                tasks.Add(task);
            }
        }
    }

    /// <summary>Removes a task the transport gives up on before executing it (timeout, connection loss).</summary>
    public void Forget(ScsiTask task)
    {
        lock (_gate)
        {
            if (_byNexusId.TryGetValue(task.Nexus.Id, out var st))
            {
                st.Tasks.Remove(task);
            }

            task.TryAbort();
        }
    }

    /// <summary>
    /// Executes a task that was <see cref="Enqueue"/>d, now that its data-out is complete. Returns
    /// TASK ABORTED (TAS=1 in the Control mode page) if it was aborted meanwhile.
    /// </summary>
    public CommandOutcome Execute(ScsiTask task, ReadOnlySpan<byte> dataOut, Span<byte> dataIn, Span<byte> sense)
    {
        lock (_gate)
        {
            if (_byNexusId.TryGetValue(task.Nexus.Id, out var st))
            {
                st.Tasks.Remove(task);
            }

            if (task.Nexus.IsLost || !task.TryStart())
            {
                return CommandOutcome.TaskAborted;
            }

            try
            {
                return ExecuteLocked(task.Nexus, st ?? StateFor(task.Nexus), task.Cdb, dataOut, dataIn, sense);
            }
            finally
            {
                task.Complete();
            }
        }
    }

    /// <summary>
    /// The I_T nexus was lost (logout, connection drop, session reinstatement; SAM-5 §6.3.4): abort its
    /// tasks, release its SPC-2 reservation; its PR registrations stay. Its next incarnation gets
    /// a UNIT ATTENTION, I_T NEXUS LOSS OCCURRED.
    /// </summary>
    public void NexusLost(ItNexus nexus)
    {
        lock (_gate)
        {
            if (!_byNexusId.Remove(nexus.Id, out var st))
            {
                return;
            }

            AbortAll(st);
            if (ReferenceEquals(st.Current, nexus))
            {
                st.Current = null;
            }

            if (ReferenceEquals(_spc2Holder, nexus))
            {
                _spc2Holder = null;
                Changed($"SPC-2 reservation of {nexus} released: I_T nexus lost");
            }
        }
    }

    /// <summary>
    /// LOGICAL UNIT RESET (SAM-5 §7.7) or, with <paramref name="sense"/> 29/00, a target reset: aborts
    /// every task, releases the SPC-2 reservation, keeps persistent reservations, and establishes
    /// the reset unit attention for every I_T nexus.
    /// </summary>
    public void Reset(AdditionalSense sense, string reason, ItNexus? issuer = null)
    {
        lock (_gate)
        {
            foreach (var st in _byKey.Values)
            {
                AbortAll(st, withStatus: issuer is not null && !ReferenceEquals(st.Current, issuer));
                st.Establish(sense);
            }

            if (_spc2Holder is { } h)
            {
                _spc2Holder = null;
                Changed($"SPC-2 reservation of {h} released: {reason}");
            }
        }
    }

    /// <summary>ABORT TASK SET / CLEAR TASK SET for one nexus (SAM-5 §7.3); returns how many were aborted.</summary>
    public int AbortTaskSet(ItNexus nexus)
    {
        lock (_gate)
        {
            return _byNexusId.TryGetValue(nexus.Id, out var st) ? AbortAll(st) : 0;
        }
    }

    /// <summary>ABORT TASK (SAM-5 §7.2): true when the task with <paramref name="tag"/> was queued and is now aborted.</summary>
    public bool AbortTask(ItNexus nexus, uint tag)
    {
        lock (_gate)
        {
            if (!_byNexusId.TryGetValue(nexus.Id, out var st))
            {
                return false;
            }

            for (int i = 0; i < st.Tasks.Count; i++)
            {
                if (st.Tasks[i].Tag == tag)
                {
                    var t = st.Tasks[i];
                    st.Tasks.RemoveAt(i);
                    return t.TryAbort();
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Power cycle (target stop and restart): every nexus, task, unit attention and SPC-2
    /// reservation is gone; persistent reservations survive only if APTPL was set (SPC-4 §5.13.5).
    /// </summary>
    public void PowerCycle()
    {
        lock (_gate)
        {
            foreach (var st in _byKey.Values)
            {
                AbortAll(st);
            }

            _byKey.Clear();
            _byNexusId.Clear();
            _spc2Holder = null;
            _pr.ClearAll();
            RestoreAptpl();
            Changed($"LUN {Lun} power cycled; persistent reservations " + (_pr.Aptpl ? "restored (APTPL)" : "cleared"));
        }
    }

    /// <summary>
    /// Fault: make the unit NOT READY (every medium or reservation command gets CHECK CONDITION,
    /// NOT READY with <paramref name="sense"/>), or ready again (null), which raises NOT READY TO
    /// READY CHANGE for every nexus.
    /// </summary>
    public void SetNotReady(AdditionalSense? sense)
    {
        lock (_gate)
        {
            bool wasNotReady = _notReady is not null;
            _notReady = sense;
            if (wasNotReady && sense is null)
            {
                foreach (var st in _byKey.Values)
                {
                    st.Establish(AdditionalSense.NotReadyToReadyChange);
                }
            }
        }
    }

    public void Dispose() => _store.Dispose();

    void IReservationEvents.UnitAttention(Registration registration, ItNexus? except, AdditionalSense sense)
    {
        foreach (var port in _targetPorts())
        {
            if (!registration.Covers(registration.Initiator, port.RelativeId))
            {
                continue;
            }

            var st = StateForKey(registration.Initiator, port.RelativeId);
            if (except is not null && except.Initiator.PortName == st.Initiator.PortName && except.Target.RelativeId == st.RelativeTargetPortId)
            {
                continue;
            }

            st.Establish(sense);
        }
    }

    void IReservationEvents.AbortTasks(Registration preempted, ItNexus except)
    {
        foreach (var st in _byKey.Values)
        {
            if (preempted.Covers(st.Initiator, st.RelativeTargetPortId) && !ReferenceEquals(st.Current, except))
            {
                int n = AbortAll(st, withStatus: true);
                if (n > 0)
                {
                    _log.Info($"LUN {Lun}: PREEMPT AND ABORT by {except} aborted {n} task(s) of {st.Initiator.PortName}");
                }
            }
        }
    }

    private static int AbortAll(NexusState st, bool withStatus = false)
    {
        int n = 0;
        foreach (var t in st.Tasks)
        {
            if (t.TryAbort(withStatus))
            {
                n++;
            }
        }

        st.Tasks.Clear();
        return n;
    }

    /// <summary>Per-nexus state; a nexus seen for the first time gets its power-on or nexus-loss unit attention.</summary>
    private NexusState StateFor(ItNexus nexus)
    {
        if (_byNexusId.TryGetValue(nexus.Id, out var st))
        {
            return st;
        }

        st = StateForKey(nexus.Initiator, nexus.Target.RelativeId);
        if (st.Current is { } previous && previous.Id != nexus.Id)
        {
            // The same initiator port logged in again without the old nexus being reported lost.
            _byNexusId.Remove(previous.Id);
            AbortAll(st);
            if (ReferenceEquals(_spc2Holder, previous))
            {
                _spc2Holder = null;
                Changed($"SPC-2 reservation of {previous} released: I_T nexus replaced");
            }
        }

        st.Establish(st.SeenBefore ? AdditionalSense.ITNexusLossOccurred : AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
        st.SeenBefore = true;
        st.Current = nexus;
        _byNexusId[nexus.Id] = st;
        return st;
    }

    private NexusState StateForKey(InitiatorPortId initiator, ushort relativeTargetPortId)
    {
        string key = initiator.PortName + "|" + relativeTargetPortId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!_byKey.TryGetValue(key, out var st))
        {
            st = new NexusState(initiator, relativeTargetPortId);
            _byKey[key] = st;
        }

        return st;
    }

    private void Changed(string message)
    {
        _log.Info($"LUN {Lun}: {message}");
        ReservationChanged?.Invoke(message);
    }

    private void RestoreAptpl()
    {
        byte[]? saved;
        try
        {
            saved = _aptpl.Load();
        }
        catch (IOException e)
        {
            _log.Warn($"LUN {Lun}: cannot read APTPL state {_aptpl.Location}: {e.Message}; starting without registrations");
            return;
        }

        if (saved is null)
        {
            return;
        }

        if (AptplStateSerializer.TryDeserialize(saved, out uint gen, out var regs, out int holder, out var type, out string? error))
        {
            _pr.Restore(gen, regs, holder, type);
            _log.Info($"LUN {Lun}: restored {regs.Count} persistent registration(s) from {_aptpl.Location} (APTPL)");
        }
        else
        {
            _log.Warn($"LUN {Lun}: APTPL state {_aptpl.Location} is unreadable ({error}); starting without registrations — delete the file to silence this");
        }
    }

    private void PersistIfNeeded(bool wasAptpl)
    {
        try
        {
            if (_pr.Aptpl)
            {
                _aptpl.Save(AptplStateSerializer.Serialize(_pr));
            }
            else if (wasAptpl)
            {
                _aptpl.Delete();
            }
        }
        catch (IOException e)
        {
            _log.Warn($"LUN {Lun}: cannot write APTPL state {_aptpl.Location}: {e.Message}");
        }
    }

    /// <summary>SAM-5 §5.14: which commands report a pending unit attention, then the dispatch.</summary>
    private CommandOutcome ExecuteLocked(ItNexus nexus, NexusState st, ReadOnlySpan<byte> cdb, ReadOnlySpan<byte> dataOut, Span<byte> dataIn, Span<byte> sense)
    {
        var io = new CommandIo(cdb, dataOut, dataIn, sense);
        if (cdb.IsEmpty)
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, new SenseKeySpecific(true, 0, null));
        }

        byte op = cdb[0];
        bool uaExempt = op is ScsiOpcode.Inquiry or ScsiOpcode.ReportLuns or ScsiOpcode.RequestSense;
        if (!uaExempt && st.TryTake(out var ua))
        {
            return io.Check(SenseKey.UnitAttention, ua);
        }

        var entry = CommandTable.Find(cdb);
        if (entry is null)
        {
            return CommandTable.HasOpcode(op)
                ? io.InvalidField(1, 4) // a service action this device server does not implement
                : io.Check(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, new SenseKeySpecific(true, 0, null));
        }

        if (cdb.Length < entry.CdbLength)
        {
            return io.InvalidField(0);
        }

        if (_notReady is { } notReady && op is not (ScsiOpcode.Inquiry or ScsiOpcode.ReportLuns or ScsiOpcode.RequestSense or ScsiOpcode.MaintenanceIn))
        {
            return io.Check(SenseKey.NotReady, notReady);
        }

        if (Conflicts(nexus, entry))
        {
            return CommandOutcome.ReservationConflict;
        }

        return op switch
        {
            ScsiOpcode.TestUnitReady => CommandOutcome.Good(),
            ScsiOpcode.RequestSense => RequestSense(st, ref io),
            ScsiOpcode.Inquiry => Inquiry(nexus, ref io),
            ScsiOpcode.Reserve6 or ScsiOpcode.Reserve10 => Reserve(nexus, ref io),
            ScsiOpcode.Release6 or ScsiOpcode.Release10 => Release(nexus, ref io),
            ScsiOpcode.ModeSense6 or ScsiOpcode.ModeSense10 => ModeSense(ref io),
            ScsiOpcode.ReadCapacity10 => ReadCapacity10(ref io),
            ScsiOpcode.ServiceActionIn16 => ReadCapacity16(ref io),
            ScsiOpcode.Read10 or ScsiOpcode.Read12 or ScsiOpcode.Read16 => Read(ref io),
            ScsiOpcode.Write10 or ScsiOpcode.Write12 or ScsiOpcode.Write16 => Write(ref io),
            ScsiOpcode.Verify10 => Verify(ref io),
            ScsiOpcode.SynchronizeCache10 or ScsiOpcode.SynchronizeCache16 => SynchronizeCache(ref io),
            ScsiOpcode.PersistentReserveIn => PersistentReserveIn(ref io),
            ScsiOpcode.PersistentReserveOut => PersistentReserveOut(nexus, ref io),
            ScsiOpcode.ReportLuns => ReportLuns(st, ref io),
            ScsiOpcode.MaintenanceIn => ReportSupportedOperationCodes(ref io),
            _ => io.Check(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, new SenseKeySpecific(true, 0, null)),
        };
    }

    /// <summary>
    /// The conflict rules: SPC-2 reservations (SPC-2 §5.5.1; held by one nexus, everything but a few
    /// commands conflicts for the others; PR commands conflict for everyone), then SPC-4 table 62 for
    /// persistent reservations.
    /// </summary>
    private bool Conflicts(ItNexus nexus, CommandTable.Entry entry)
    {
        if (_spc2Holder is { } holder)
        {
            if (entry.Opcode is ScsiOpcode.PersistentReserveIn or ScsiOpcode.PersistentReserveOut)
            {
                return true; // SPC-3 §5.6.1: PR commands conflict while any SPC-2 reservation exists
            }

            if (!ReferenceEquals(holder, nexus) && !entry.AllowedUnderSpc2)
            {
                return true;
            }
        }

        if (entry.Access == ReservationAccess.Spc2)
        {
            return _pr.Registrations.Count > 0; // CRH=0 (SPC-4 §5.13.3)
        }

        if (!_pr.IsReserved || _pr.IsHolder(nexus))
        {
            return false;
        }

        bool registeredWithSharedType = _pr.Find(nexus) is not null
            && (PersistentReservationState.IsRegistrantsOnly(_pr.Type) || PersistentReservationState.IsAllRegistrants(_pr.Type));
        bool writeExclusive = _pr.Type is PersistentReservationType.WriteExclusive
            or PersistentReservationType.WriteExclusiveRegistrantsOnly or PersistentReservationType.WriteExclusiveAllRegistrants;
        return entry.Access switch
        {
            ReservationAccess.Read => !(writeExclusive || registeredWithSharedType),
            ReservationAccess.Write => !registeredWithSharedType,
            _ => false, // Allowed; PR OUT decides in its service action
        };
    }

    /// <summary>Spans of one command plus helpers that write status and sense.</summary>
    private ref struct CommandIo(ReadOnlySpan<byte> cdb, ReadOnlySpan<byte> dataOut, Span<byte> dataIn, Span<byte> sense)
    {
        public readonly ReadOnlySpan<byte> Cdb = cdb;
        public readonly ReadOnlySpan<byte> DataOut = dataOut;
        public readonly Span<byte> DataIn = dataIn;
        public readonly Span<byte> Sense = sense;

        /// <summary>CHECK CONDITION with fixed-format sense (D_SENSE=0 in the Control mode page).</summary>
        public readonly CommandOutcome Check(SenseKey key, AdditionalSense asc, SenseKeySpecific? sks = null)
        {
            Span<byte> buf = stackalloc byte[SenseData.FixedLength];
            SenseData.WriteFixed(buf, key, asc, sks);
            int n = Math.Min(buf.Length, Sense.Length);
            buf[..n].CopyTo(Sense);
            return new CommandOutcome(ScsiStatus.CheckCondition, n, 0);
        }

        /// <summary>ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at the byte (and bit) at fault.</summary>
        public readonly CommandOutcome InvalidField(int field, int? bit = null) =>
            Check(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, new SenseKeySpecific(true, (ushort)field, (byte?)bit));

        /// <summary>ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST, pointing at the byte (and bit).</summary>
        public readonly CommandOutcome InvalidParameter(int field, int? bit = null) =>
            Check(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList, new SenseKeySpecific(false, (ushort)field, (byte?)bit));

        /// <summary>Sends <paramref name="data"/> truncated to the ALLOCATION LENGTH and to the buffer.</summary>
        public readonly CommandOutcome Respond(ReadOnlySpan<byte> data, int allocationLength)
        {
            int n = Math.Min(data.Length, allocationLength);
            int copy = Math.Min(n, DataIn.Length);
            data[..copy].CopyTo(DataIn);
            return CommandOutcome.Good(n);
        }
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> s) => BinaryPrimitives.ReadUInt32BigEndian(s);
}

using System.Buffers;
using System.Buffers.Binary;
using HwFence.Emulator.LogicalUnits;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi.Pdus;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Iscsi;

internal sealed partial class IscsiTargetConnection
{
    /// <summary>
    /// SCSI Command (RFC 7143 §11.3): checks CmdSN, immediate data against ImmediateData and
    /// FirstBurstLength, then either executes at once or collects Data-Out (unsolicited, then R2T).
    /// </summary>
    private async ValueTask<bool> HandleScsiCommandAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<ScsiCommandHeader>();
        if (!AcceptCmdSN(h.Immediate, h.CmdSN, "SCSI Command"))
        {
            return true;
        }

        int immediate = pdu.DataSegmentLength;
        if (immediate > 0 && (!h.DataOut || !_params.ImmediateData || immediate > _params.FirstBurstLength || immediate > h.ExpectedDataTransferLength))
        {
            return await ProtocolErrorAsync(pdu,
                $"SCSI Command ITT 0x{h.InitiatorTaskTag:x8} carries {immediate} bytes of immediate data (W={h.DataOut}, ImmediateData={_params.ImmediateData}, FirstBurstLength={_params.FirstBurstLength}, EDTL={h.ExpectedDataTransferLength})",
                IscsiRejectReason.ProtocolError, ct).ConfigureAwait(false);
        }

        bool duplicate;
        lock (_tasks)
        {
            duplicate = _tasks.ContainsKey(h.InitiatorTaskTag);
        }

        if (duplicate)
        {
            return await ProtocolErrorAsync(pdu, $"SCSI Command ITT 0x{h.InitiatorTaskTag:x8} is already in use by an outstanding task (RFC 7143 §11.2.1.8)",
                IscsiRejectReason.ProtocolError, ct).ConfigureAwait(false);
        }

        Span<byte> cdb = stackalloc byte[260];
        int cdbLength = IscsiAhs.GetCdb(pdu.Bhs[32..48], pdu.Ahs, cdb);
        if (cdbLength < 0)
        {
            return await ProtocolErrorAsync(pdu, "SCSI Command: extended CDB AHS is malformed", IscsiRejectReason.InvalidPduField, ct).ConfigureAwait(false);
        }

        var task = RentTask();
        task.Itt = h.InitiatorTaskTag;
        int lun = IscsiLun.Decode(h.Lun);
        task.Lun = lun < 0 ? ulong.MaxValue : (ulong)lun; // other address methods name no unit here
        task.LunField = h.Lun;
        task.CmdSN = h.CmdSN;
        task.DataIn = h.DataIn;
        task.DataOut = h.DataOut;
        task.ExpectedLength = (int)Math.Min(h.ExpectedDataTransferLength, int.MaxValue);

        if (!task.Scsi.Prepare(Nexus!, h.InitiatorTaskTag, cdb[..Math.Min(cdbLength, 16)]) || cdbLength > 16 && cdb[16..cdbLength].IndexOfAnyExcept((byte)0) >= 0)
        {
            return await RefuseAsync(task, SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, ct).ConfigureAwait(false);
        }

        if (h.DataIn && h.DataOut)
        {
            return await RefuseAsync(task, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, ct).ConfigureAwait(false); // bidirectional: not supported
        }

        if (h.ExpectedDataTransferLength > (uint)_options.MaxTransferLength)
        {
            return await RefuseAsync(task, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, ct).ConfigureAwait(false);
        }

        if (!h.DataOut || task.ExpectedLength == 0)
        {
            return await ExecuteAsync(task, ct).ConfigureAwait(false);
        }

        // Write: collect immediate data, then unsolicited Data-Out (InitialR2T=No, F=0), then R2Ts (§4.2.5.2).
        task.OutBuffer = ArrayPool<byte>.Shared.Rent(task.ExpectedLength);
        pdu.Data.CopyTo(task.OutBuffer);
        task.Received = immediate;
        task.UnsolicitedLimit = Math.Min(_params.FirstBurstLength, task.ExpectedLength);
        task.UnsolicitedOpen = !_params.InitialR2T && !h.Final && task.Received < task.UnsolicitedLimit;
        lock (_tasks)
        {
            _tasks[task.Itt] = task;
        }

        _target.Enqueue(task.Scsi, task.Lun);
        if (task.Received == task.ExpectedLength)
        {
            return await ExecuteAsync(task, ct).ConfigureAwait(false);
        }

        if (!task.UnsolicitedOpen)
        {
            await SendR2TAsync(task, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// SCSI Data-Out (RFC 7143 §11.7): must match an open unsolicited burst or the outstanding R2T's
    /// target transfer tag, carry the next DataSN and the next BufferOffset (DataPDUInOrder=Yes), and
    /// stay inside the burst. A violation rejects the PDU and discards the command unexecuted, so no
    /// partial data reaches the medium.
    /// </summary>
    private async ValueTask<bool> HandleDataOutAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<DataOutHeader>();
        TargetTask? task;
        lock (_tasks)
        {
            _tasks.TryGetValue(h.InitiatorTaskTag, out task);
        }

        if (task is null || task.OutBuffer is null)
        {
            return true; // for a task already answered or aborted: discarded (§11.7)
        }

        int len = pdu.DataSegmentLength;
        bool unsolicited = h.TargetTransferTag == NoTag;
        string where = $"Data-Out ITT 0x{h.InitiatorTaskTag:x8}";
        if (unsolicited ? !task.UnsolicitedOpen : h.TargetTransferTag != task.Ttt)
        {
            return await RejectDataOutAsync(pdu, task, unsolicited
                ? $"{where}: unsolicited data not allowed here (InitialR2T={_params.InitialR2T}, or the unsolicited burst already ended)"
                : $"{where}: TTT 0x{h.TargetTransferTag:x8} does not match the outstanding R2T (0x{task.Ttt:x8})", ct).ConfigureAwait(false);
        }

        if (h.DataSN != task.NextDataSN)
        {
            return await RejectDataOutAsync(pdu, task, $"{where}: DataSN {h.DataSN}, expected {task.NextDataSN}", ct).ConfigureAwait(false);
        }

        if (h.BufferOffset != (uint)task.Received)
        {
            return await RejectDataOutAsync(pdu, task, $"{where}: BufferOffset {h.BufferOffset}, expected {task.Received} (DataPDUInOrder=Yes)", ct).ConfigureAwait(false);
        }

        int limit = unsolicited ? task.UnsolicitedLimit : task.R2TOffset + task.R2TLength;
        if ((long)task.Received + len > limit)
        {
            return await RejectDataOutAsync(pdu, task, $"{where}: {len} bytes at offset {h.BufferOffset} overrun the {(unsolicited ? "first burst" : "R2T")} ending at {limit}", ct).ConfigureAwait(false);
        }

        pdu.Data.CopyTo(task.OutBuffer.AsSpan(task.Received));
        task.Received += len;
        task.NextDataSN++;
        if (!h.Final)
        {
            return true;
        }

        if (!unsolicited && task.Received != limit)
        {
            return await RejectDataOutAsync(pdu, task, $"{where}: final PDU of the R2T sequence at {task.Received} bytes, the R2T asked for up to {limit}", ct).ConfigureAwait(false);
        }

        task.UnsolicitedOpen = false;
        task.Ttt = NoTag;
        task.NextDataSN = 0;
        if (task.Scsi.IsAborted)
        {
            await FinishAbortedAsync(task, ct).ConfigureAwait(false);
            return true;
        }

        if (task.Received == task.ExpectedLength)
        {
            return await ExecuteAsync(task, ct).ConfigureAwait(false);
        }

        await SendR2TAsync(task, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A Data-Out out of sequence (wrong TTT, DataSN, BufferOffset or length): Reject it (Protocol
    /// Error, RFC 7143 §11.17.1) and discard its command unexecuted — the initiator fails the command
    /// on the Reject, and nothing of it reaches the medium. The connection survives a few such errors;
    /// after <see cref="MaxDataOutRejects"/> it is considered hostile and dropped.
    /// </summary>
    private async ValueTask<bool> RejectDataOutAsync(IscsiPdu pdu, TargetTask task, string message, CancellationToken ct)
    {
        _dataOutRejects++;
        bool drop = _dataOutRejects > MaxDataOutRejects;
        _target.Log.Warn($"iSCSI {Who}: {message}; Data-Out rejected, command ITT 0x{task.Itt:x8} discarded unexecuted" + (drop ? $"; more than {MaxDataOutRejects} such errors, dropping this connection" : ""));
        _target.Find(task.Lun)?.Forget(task.Scsi);
        Release(task, null);
        await SendRejectAsync(pdu.Bhs.ToArray(), IscsiRejectReason.ProtocolError, ct).ConfigureAwait(false);
        return !drop;
    }

    /// <summary>R2T for the next MaxBurstLength of data (RFC 7143 §11.8); MaxOutstandingR2T is 1.</summary>
    private ValueTask SendR2TAsync(TargetTask task, CancellationToken ct)
    {
        task.R2TOffset = task.Received;
        task.R2TLength = Math.Min(_params.MaxBurstLength, task.ExpectedLength - task.Received);
        uint ttt = Interlocked.Increment(ref _nextTtt) & 0x7FFF_FFFF;
        task.Ttt = ttt;
        task.NextDataSN = 0;
        uint r2tsn = task.NextR2TSN++;
        return SendAsync(new ReadyToTransferHeader(task.LunField, task.Itt, ttt, Volatile.Read(ref _statSN),
            _expCmdSN, MaxCmdSN, r2tsn, (uint)task.R2TOffset, (uint)task.R2TLength), ReadOnlyMemory<byte>.Empty, ct);
    }

    /// <summary>Runs the command through the target (faults, task set, logical unit) and answers it.</summary>
    private async ValueTask<bool> ExecuteAsync(TargetTask task, CancellationToken ct)
    {
        byte[]? inBuffer = task.DataIn && task.ExpectedLength > 0 ? ArrayPool<byte>.Shared.Rent(task.ExpectedLength) : null;
        ReadOnlyMemory<byte> dataOut = task.OutBuffer is null ? default : task.OutBuffer.AsMemory(0, task.Received);
        Memory<byte> dataIn = inBuffer is null ? default : inBuffer.AsMemory(0, task.ExpectedLength);
        var pending = _target.ExecuteAsync(task.Scsi, task.Lun, dataOut, dataIn, task.Sense);
        if (pending.IsCompletedSuccessfully)
        {
            try
            {
                await RespondAsync(task, pending.Result, inBuffer, ct).ConfigureAwait(false);
            }
            finally
            {
                Release(task, inBuffer);
            }

            return true;
        }

        lock (_tasks)
        {
            _tasks[task.Itt] = task; // reachable by ABORT TASK while it waits (latency/hang faults)
        }

        _ = CompleteLaterAsync(task, pending, inBuffer, ct);
        return true;
    }

    private async Task CompleteLaterAsync(TargetTask task, ValueTask<CommandOutcome> pending, byte[]? inBuffer, CancellationToken ct)
    {
        try
        {
            var outcome = await pending.ConfigureAwait(false);
            await RespondAsync(task, outcome, inBuffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Release(task, inBuffer);
        }
    }

    /// <summary>
    /// Data-In PDUs (at most the initiator's MaxRecvDataSegmentLength each, F at every MaxBurstLength
    /// boundary) with the status in the last one when it is GOOD, otherwise a SCSI Response with
    /// sense; residual overflow/underflow against ExpectedDataTransferLength (§11.4.5).
    /// </summary>
    private async ValueTask RespondAsync(TargetTask task, CommandOutcome outcome, byte[]? inBuffer, CancellationToken ct)
    {
        if (outcome.Status == ScsiStatus.TaskAborted && (task.Scsi.IsAborted && !task.Scsi.AbortedWithStatus || task.Scsi.Nexus.IsLost))
        {
            return; // aborted by this nexus (ABORT TASK, LUN RESET, logout): no response (SAM-5 §5.6)
        }

        int expected = task.DataIn || task.DataOut ? task.ExpectedLength : 0;
        int actual = outcome.TransferLength;
        bool overflow = actual > expected;
        bool underflow = actual < expected;
        uint residual = (uint)Math.Abs((long)actual - expected);
        int toSend = task.DataIn && inBuffer is not null ? Math.Min(actual, task.ExpectedLength) : 0;
        bool statusInData = toSend > 0 && outcome.Status == ScsiStatus.Good;
        ulong lunField = task.LunField;

        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            uint dataSN = 0;
            int offset = 0;
            int burst = 0;
            int maxSegment = _params.PeerMaxRecvDataSegmentLength;
            while (offset < toSend)
            {
                int n = Math.Min(maxSegment, toSend - offset);
                n = Math.Min(n, _params.MaxBurstLength - burst);
                bool last = offset + n == toSend;
                bool endOfBurst = last || burst + n == _params.MaxBurstLength;
                bool withStatus = last && statusInData;
                var header = new DataInHeader(endOfBurst, false, withStatus && overflow, withStatus && underflow, withStatus,
                    withStatus ? (byte)outcome.Status : (byte)0, lunField, task.Itt, NoTag, withStatus ? NextStatSN() : 0,
                    _expCmdSN, MaxCmdSN, dataSN++, (uint)offset, withStatus ? residual : 0);
                await AppendLockedAsync(header, inBuffer.AsSpan(offset, n), ct).ConfigureAwait(false);
                offset += n;
                burst = endOfBurst ? 0 : burst + n;
            }

            if (!statusInData)
            {
                int senseLength = outcome.SenseLength;
                Span<byte> segment = stackalloc byte[2 + SenseData.MaxLength];
                if (senseLength > 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(segment, (ushort)senseLength);
                    task.Sense.AsSpan(0, senseLength).CopyTo(segment[2..]);
                }

                var response = new ScsiResponseHeader(false, false, overflow, underflow, ScsiResponseHeader.CommandCompleted, (byte)outcome.Status,
                    task.Itt, 0, NextStatSN(), _expCmdSN, MaxCmdSN, task.DataIn ? dataSN : task.NextR2TSN, 0, residual);
                await AppendLockedAsync(response, senseLength > 0 ? segment[..(2 + senseLength)] : default, ct).ConfigureAwait(false);
            }

            await FlushUnlessBatchingLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Answers a command refused before it reached a logical unit (bad CDB length, bidirectional, too large).</summary>
    private async ValueTask<bool> RefuseAsync(TargetTask task, SenseKey key, AdditionalSense asc, CancellationToken ct)
    {
        int n = SenseData.WriteFixed(task.Sense, key, asc);
        try
        {
            await RespondAsync(task, new CommandOutcome(ScsiStatus.CheckCondition, n, 0), null, ct).ConfigureAwait(false);
        }
        finally
        {
            Release(task, null);
        }

        return true;
    }

    /// <summary>A task that waited for Data-Out was aborted: TASK ABORTED if another nexus caused it (TAS=1), else silence.</summary>
    private async ValueTask FinishAbortedAsync(TargetTask task, CancellationToken ct)
    {
        try
        {
            if (task.Scsi.AbortedWithStatus && !task.Scsi.Nexus.IsLost)
            {
                task.Received = 0;
                await RespondAsync(task, CommandOutcome.TaskAborted, null, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            Release(task, null);
        }
    }

    /// <summary>After task management: answer or forget every task of this connection that got aborted while waiting for data.</summary>
    private async ValueTask SweepAbortedAsync(CancellationToken ct)
    {
        List<TargetTask>? aborted = null;
        lock (_tasks)
        {
            foreach (var t in _tasks.Values)
            {
                if (t.OutBuffer is not null && t.Scsi.IsAborted)
                {
                    (aborted ??= new()).Add(t);
                }
            }
        }

        if (aborted is null)
        {
            return;
        }

        foreach (var t in aborted)
        {
            await FinishAbortedAsync(t, ct).ConfigureAwait(false);
        }
    }

    private TargetTask RentTask()
    {
        lock (_tasks)
        {
            return _pool.Count > 0 ? _pool.Pop() : new TargetTask();
        }
    }

    private void Release(TargetTask task, byte[]? inBuffer)
    {
        if (inBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(inBuffer);
        }

        lock (_tasks)
        {
            if (_tasks.TryGetValue(task.Itt, out var current) && ReferenceEquals(current, task))
            {
                _tasks.Remove(task.Itt);
            }

            ReturnBuffers(task);
            task.Reset();
            if (_pool.Count < 64)
            {
                _pool.Push(task);
            }
        }
    }

    private static void ReturnBuffers(TargetTask task)
    {
        if (task.OutBuffer is { } b)
        {
            task.OutBuffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}

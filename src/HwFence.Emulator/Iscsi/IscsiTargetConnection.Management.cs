using System.Net;
using System.Net.Sockets;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Iscsi;

internal sealed partial class IscsiTargetConnection
{
    /// <summary>
    /// NOP-Out (RFC 7143 §11.18): a ping (ITT ≠ FFFFFFFFh) is answered with a NOP-In echoing its data;
    /// an answer to our own NOP-In ping (ITT = FFFFFFFFh) just clears the pending ping.
    /// </summary>
    private async ValueTask<bool> HandleNopOutAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<NopOutHeader>();
        if (h.InitiatorTaskTag == NoTag)
        {
            if (h.TargetTransferTag == _pendingNopTtt)
            {
                _pendingNopTtt = NoTag;
            }

            return true;
        }

        if (!AcceptCmdSN(h.Immediate, h.CmdSN, "NOP-Out"))
        {
            return true;
        }

        var data = pdu.Data.IsEmpty ? ReadOnlyMemory<byte>.Empty : pdu.Data.First;
        await SendAsync(new NopInHeader(h.Lun, h.InitiatorTaskTag, NoTag, NextStatSN(), _expCmdSN, MaxCmdSN), data, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Task Management Function Request (RFC 7143 §11.5, SAM-5 §7): ABORT TASK, ABORT TASK SET,
    /// CLEAR TASK SET, LOGICAL UNIT RESET, TARGET WARM RESET, TARGET COLD RESET.
    /// </summary>
    private async ValueTask<bool> HandleTaskManagementAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<TaskManagementRequestHeader>();
        if (!AcceptCmdSN(h.Immediate, h.CmdSN, "Task Management"))
        {
            return true;
        }

        int lunNumber = IscsiLun.Decode(h.Lun);
        var unit = lunNumber < 0 ? null : _target.Find((ulong)lunNumber);
        var nexus = Nexus!;
        bool cold = false;
        TaskManagementResponse response;
        switch (h.Function)
        {
            case TaskManagementFunction.AbortTask:
                TargetTask? task;
                lock (_tasks)
                {
                    _tasks.TryGetValue(h.ReferencedTaskTag, out task);
                }

                if (unit is null)
                {
                    response = TaskManagementResponse.LunDoesNotExist;
                }
                else if (task is not null && (unit.AbortTask(nexus, h.ReferencedTaskTag) || task.Scsi.IsAborted))
                {
                    response = TaskManagementResponse.FunctionComplete;
                }
                else
                {
                    // RFC 7143 §11.5.1 b: a RefCmdSN inside the window and before this request names a command
                    // that never arrived; it is considered received, and aborting it is complete. A command that
                    // already completed (RefCmdSN behind ExpCmdSN) is a task that does not exist.
                    bool inWindow = HwFence.Scsi.Iscsi.Initiator.SerialNumber.LessOrEqual(_expCmdSN, h.RefCmdSN) && HwFence.Scsi.Iscsi.Initiator.SerialNumber.LessOrEqual(h.RefCmdSN, MaxCmdSN)
                        && HwFence.Scsi.Iscsi.Initiator.SerialNumber.LessThan(h.RefCmdSN, h.CmdSN);
                    response = inWindow ? TaskManagementResponse.FunctionComplete : TaskManagementResponse.TaskDoesNotExist;
                }

                break;
            case TaskManagementFunction.AbortTaskSet or TaskManagementFunction.ClearTaskSet:
                if (unit is null)
                {
                    response = TaskManagementResponse.LunDoesNotExist;
                    break;
                }

                unit.AbortTaskSet(nexus);
                response = TaskManagementResponse.FunctionComplete;
                break;
            case TaskManagementFunction.LogicalUnitReset:
                if (unit is null)
                {
                    response = TaskManagementResponse.LunDoesNotExist;
                    break;
                }

                _target.Log.Info($"iSCSI {Who}: LOGICAL UNIT RESET of LUN {lunNumber}");
                unit.Reset(AdditionalSense.BusDeviceResetFunctionOccurred, $"LOGICAL UNIT RESET by {nexus}", nexus);
                response = TaskManagementResponse.FunctionComplete;
                break;
            case TaskManagementFunction.TargetWarmReset:
                _target.Reset(cold: false, nexus);
                response = TaskManagementResponse.FunctionComplete;
                break;
            case TaskManagementFunction.TargetColdReset:
                cold = true;
                response = TaskManagementResponse.FunctionComplete;
                break;
            case TaskManagementFunction.TaskReassign:
                response = TaskManagementResponse.TaskAllegianceReassignmentNotSupported;
                break;
            case TaskManagementFunction.ClearAca:
                response = TaskManagementResponse.FunctionNotSupported;
                break;
            default:
                response = TaskManagementResponse.FunctionRejected;
                break;
        }

        await SweepAbortedAsync(ct).ConfigureAwait(false);
        await SendAsync(new TaskManagementResponseHeader(response, h.InitiatorTaskTag, NextStatSN(), _expCmdSN, MaxCmdSN), ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        if (cold)
        {
            // A cold reset answers first, then drops every connection, this one included (§11.5.1).
            await EndBatchAsync(ct).ConfigureAwait(false);
            _target.Reset(cold: true, nexus);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Text Request (RFC 7143 §11.10): SendTargets (Appendix C) answers with this target and the
    /// address the initiator connected to; other keys are NotUnderstood.
    /// </summary>
    private async ValueTask<bool> HandleTextAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<TextRequestHeader>();
        if (!AcceptCmdSN(h.Immediate, h.CmdSN, "Text Request"))
        {
            return true;
        }

        if (h.Continue)
        {
            return await ProtocolErrorAsync(pdu, "continued Text Requests are not supported by the emulator", IscsiRejectReason.CommandNotSupported, ct).ConfigureAwait(false);
        }

        var pairs = new List<KeyValuePair<string, string>>();
        if (!IscsiTextParameters.TryParse(System.Buffers.BuffersExtensions.ToArray(pdu.Data), IscsiTextLimits.Default, pairs, out string? error))
        {
            return await ProtocolErrorAsync(pdu, "malformed Text Request: " + error, IscsiRejectReason.ProtocolError, ct).ConfigureAwait(false);
        }

        var answer = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in pairs)
        {
            if (key == IscsiKeys.SendTargets)
            {
                if (value == "All" || value == _target.Iqn || (value.Length == 0 && !IsDiscovery))
                {
                    answer.Add(new(IscsiKeys.TargetName, _target.Iqn));
                    answer.Add(new(IscsiKeys.TargetAddress, (_options.AdvertisedPortal ?? FormatAddress(LocalEndPoint)) + ",1"));
                }
            }
            else
            {
                answer.Add(new(key, IscsiKeys.NotUnderstood));
            }
        }

        var data = answer.Count == 0 ? ReadOnlyMemory<byte>.Empty : IscsiTextParameters.Encode(answer);
        await SendAsync(new TextResponseHeader(true, false, h.Lun, h.InitiatorTaskTag, NoTag, NextStatSN(), _expCmdSN, MaxCmdSN), data, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Logout Request (RFC 7143 §11.14): close the session or connection; recovery is not supported.</summary>
    private async ValueTask<bool> HandleLogoutAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var h = pdu.Read<LogoutRequestHeader>();
        AcceptCmdSN(h.Immediate, h.CmdSN, "Logout Request");
        byte response = h.Reason is LogoutReason.CloseSession or LogoutReason.CloseConnection ? (byte)0 : (byte)2; // 2: recovery not supported
        await SendAsync(new LogoutResponseHeader(response, h.InitiatorTaskTag, NextStatSN(), _expCmdSN, MaxCmdSN, 2, 0), ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        return response != 0;
    }

    /// <summary>"127.0.0.1:3260" or "[::1]:3260" (RFC 7143 §13.8).</summary>
    internal static string FormatAddress(IPEndPoint ep)
    {
        var address = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4() : ep.Address;
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{ep.Port}" : $"{address}:{ep.Port}";
    }
}

using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Task management response codes (RFC 7143 §11.6.1).</summary>
public enum TaskManagementResponse : byte
{
    FunctionComplete = 0,
    TaskDoesNotExist = 1,
    LunDoesNotExist = 2,
    TaskStillAllegiant = 3,
    TaskAllegianceReassignmentNotSupported = 4,
    FunctionNotSupported = 5,
    FunctionAuthorizationFailed = 6,
    FunctionRejected = 255,
}

/// <summary>
/// Task Management Function Response (RFC 7143 §11.6).
/// <code>
///  0|.|.| 0x22      |1| Reserved    | Response      | Reserved      |
/// 16| Initiator Task Tag                                            |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// </code>
/// </summary>
public record struct TaskManagementResponseHeader(
    TaskManagementResponse Response, uint InitiatorTaskTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN)
    : IIscsiHeader<TaskManagementResponseHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.TaskManagementResponse;

    public static TaskManagementResponseHeader Read(ReadOnlySpan<byte> bhs) => new(
        (TaskManagementResponse)bhs[2], ReadUInt32(bhs, 16), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        bhs[2] = (byte)Response;
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
    }
}

using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Task management functions (RFC 7143 §11.5.1).</summary>
public enum TaskManagementFunction : byte
{
    AbortTask = 1,
    AbortTaskSet = 2,
    ClearAca = 3,
    ClearTaskSet = 4,
    LogicalUnitReset = 5,
    TargetWarmReset = 6,
    TargetColdReset = 7,
    TaskReassign = 8,
}

/// <summary>
/// Task Management Function Request (RFC 7143 §11.5).
/// <code>
///  0|.|I| 0x02      |1| Function    | Reserved                      |
///  8| Logical Unit Number (LUN) or Reserved                         |
/// 16| Initiator Task Tag                                            |
/// 20| Referenced Task Tag or 0xFFFFFFFF                             |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN                                                     |
/// 32| RefCmdSN or Reserved                                          |
/// 36| ExpDataSN or Reserved                                         |
/// 40/ Reserved                                                      /
/// </code>
/// </summary>
public record struct TaskManagementRequestHeader(
    bool Immediate, TaskManagementFunction Function, ulong Lun, uint InitiatorTaskTag, uint ReferencedTaskTag,
    uint CmdSN, uint ExpStatSN, uint RefCmdSN, uint ExpDataSN)
    : IIscsiHeader<TaskManagementRequestHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.TaskManagementRequest;

    public static TaskManagementRequestHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsImmediate(bhs), (TaskManagementFunction)(bhs[1] & 0x7F), ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20),
        ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32), ReadUInt32(bhs, 36));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, Immediate, (byte)(FinalBit | ((byte)Function & 0x7F)));
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, ReferencedTaskTag);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
        WriteUInt32(bhs, 32, RefCmdSN);
        WriteUInt32(bhs, 36, ExpDataSN);
    }
}

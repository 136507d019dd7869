using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Logout Response (RFC 7143 §11.15). Response 0 = closed successfully, 1 = CID not found,
/// 2 = recovery not supported, 3 = cleanup failed.
/// <code>
///  0|.|.| 0x26      |1| Reserved    | Response      | Reserved      |
/// 16| Initiator Task Tag                                            |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| Reserved                                                      |
/// 40| Time2Wait                     | Time2Retain                   |
/// </code>
/// </summary>
public record struct LogoutResponseHeader(
    byte Response, uint InitiatorTaskTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, ushort Time2Wait, ushort Time2Retain)
    : IIscsiHeader<LogoutResponseHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.LogoutResponse;

    public static LogoutResponseHeader Read(ReadOnlySpan<byte> bhs) => new(
        bhs[2], ReadUInt32(bhs, 16), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32), ReadUInt16(bhs, 40), ReadUInt16(bhs, 42));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        bhs[2] = Response;
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        WriteUInt16(bhs, 40, Time2Wait);
        WriteUInt16(bhs, 42, Time2Retain);
    }
}

using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Logout reason codes (RFC 7143 §11.14.1).</summary>
public enum LogoutReason : byte
{
    CloseSession = 0,
    CloseConnection = 1,
    RemoveConnectionForRecovery = 2,
}

/// <summary>
/// Logout Request (RFC 7143 §11.14).
/// <code>
///  0|.|I| 0x06      |1| Reason Code | Reserved                      |
/// 16| Initiator Task Tag                                            |
/// 20| CID or Reserved               | Reserved                      |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN                                                     |
/// 32/ Reserved                                                      /
/// </code>
/// </summary>
public record struct LogoutRequestHeader(bool Immediate, LogoutReason Reason, uint InitiatorTaskTag, ushort Cid, uint CmdSN, uint ExpStatSN)
    : IIscsiHeader<LogoutRequestHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.LogoutRequest;

    public static LogoutRequestHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsImmediate(bhs), (LogoutReason)(bhs[1] & 0x7F), ReadUInt32(bhs, 16), ReadUInt16(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, Immediate, (byte)(FinalBit | ((byte)Reason & 0x7F)));
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt16(bhs, 20, Cid);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
    }
}

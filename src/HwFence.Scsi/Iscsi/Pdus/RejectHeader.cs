using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Reject reasons (RFC 7143 §11.17.1).</summary>
public enum IscsiRejectReason : byte
{
    Reserved = 0x01,
    DataDigestError = 0x02,
    SnackReject = 0x03,
    ProtocolError = 0x04,
    CommandNotSupported = 0x05,
    ImmediateCommandReject = 0x06,
    TaskInProgress = 0x07,
    InvalidDataAck = 0x08,
    InvalidPduField = 0x09,
    LongOperationReject = 0x0A,
    DeprecatedNegotiationReset = 0x0B,
    WaitingForLogout = 0x0C,
}

/// <summary>
/// Reject (RFC 7143 §11.17). The data segment carries the complete header (BHS) of the rejected PDU,
/// whose ITT tells the initiator which task failed.
/// <code>
///  0|.|.| 0x3f      |1| Reserved    | Reason        | Reserved      |
/// 16| 0xFFFFFFFF                                                    |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| DataSN/R2TSN or Reserved                                      |
/// 40/ Reserved                                                      /
/// 48| Header of the rejected PDU (data segment)                     |
/// </code>
/// </summary>
public record struct RejectHeader(IscsiRejectReason Reason, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint DataSN)
    : IIscsiHeader<RejectHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.Reject;

    public static RejectHeader Read(ReadOnlySpan<byte> bhs) => new(
        (IscsiRejectReason)bhs[2], ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32), ReadUInt32(bhs, 36));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        bhs[2] = (byte)Reason;
        WriteUInt32(bhs, 16, ReservedTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        WriteUInt32(bhs, 36, DataSN);
    }
}

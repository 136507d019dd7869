using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// SCSI Response (RFC 7143 §11.4). The data segment, when present, is SenseLength (2 bytes) + sense
/// data + response data (§11.4.7).
/// <code>
///  0|.|.| 0x21      |1|. .|o|u|O|U|.| Response      | Status        |
///  8| Reserved                                                      |
/// 16| Initiator Task Tag                                            |
/// 20| SNACK Tag                                                     |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| ExpDataSN                                                     |
/// 40| Bidirectional Read Residual Count                             |
/// 44| Residual Count                                                |
/// </code>
/// o/u: bidirectional read overflow/underflow; O/U: overflow/underflow (Residual Count valid).
/// Response 0x00 = command completed at target (Status is valid), 0x01 = target failure.
/// </summary>
public record struct ScsiResponseHeader(
    bool BidiOverflow, bool BidiUnderflow, bool Overflow, bool Underflow, byte Response, byte Status,
    uint InitiatorTaskTag, uint SnackTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint ExpDataSN,
    uint BidiReadResidualCount, uint ResidualCount)
    : IIscsiHeader<ScsiResponseHeader>
{
    /// <summary>Response code "Command Completed at Target".</summary>
    public const byte CommandCompleted = 0x00;

    public static IscsiOpcode Opcode => IscsiOpcode.ScsiResponse;

    public static ScsiResponseHeader Read(ReadOnlySpan<byte> bhs) => new(
        (bhs[1] & 0x10) != 0, (bhs[1] & 0x08) != 0, (bhs[1] & 0x04) != 0, (bhs[1] & 0x02) != 0, bhs[2], bhs[3],
        ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32),
        ReadUInt32(bhs, 36), ReadUInt32(bhs, 40), ReadUInt32(bhs, 44));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false,
            (byte)(FinalBit | (BidiOverflow ? 0x10 : 0) | (BidiUnderflow ? 0x08 : 0) | (Overflow ? 0x04 : 0) | (Underflow ? 0x02 : 0)));
        bhs[2] = Response;
        bhs[3] = Status;
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, SnackTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        WriteUInt32(bhs, 36, ExpDataSN);
        WriteUInt32(bhs, 40, BidiReadResidualCount);
        WriteUInt32(bhs, 44, ResidualCount);
    }
}

using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Text Request (RFC 7143 §11.10): key=value pairs (<see cref="IscsiTextParameters"/>), e.g.
/// SendTargets=All in a discovery session. C: the text continues in the next PDU.
/// <code>
///  0|.|I| 0x04      |F|C| Reserved                                   |
///  8| LUN or Reserved                                               |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag or 0xFFFFFFFF                             |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN                                                     |
/// 32/ Reserved                                                      /
/// </code>
/// </summary>
public record struct TextRequestHeader(
    bool Immediate, bool Final, bool Continue, ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint CmdSN, uint ExpStatSN)
    : IIscsiHeader<TextRequestHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.TextRequest;

    public static TextRequestHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsImmediate(bhs), (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, ReadUInt64(bhs, 8), ReadUInt32(bhs, 16),
        ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, Immediate, (byte)((Final ? 0x80 : 0) | (Continue ? 0x40 : 0)));
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
    }
}

using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Text Response (RFC 7143 §11.11). When F is clear the target has more to say: the initiator sends
/// an empty Text Request echoing TargetTransferTag to get it.
/// <code>
///  0|.|.| 0x24      |F|C| Reserved                                   |
///  8| LUN or Reserved                                               |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag or 0xFFFFFFFF                             |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// </code>
/// </summary>
public record struct TextResponseHeader(
    bool Final, bool Continue, ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN)
    : IIscsiHeader<TextResponseHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.TextResponse;

    public static TextResponseHeader Read(ReadOnlySpan<byte> bhs) => new(
        (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20),
        ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, (byte)((Final ? 0x80 : 0) | (Continue ? 0x40 : 0)));
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
    }
}

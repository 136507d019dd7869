using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// NOP-In (RFC 7143 §11.19): the answer to a NOP-Out (ITT echoed, TTT 0xFFFFFFFF), or a target's
/// ping that asks for a NOP-Out back (ITT 0xFFFFFFFF, TTT ≠ 0xFFFFFFFF).
/// <code>
///  0|.|.| 0x20      |1| Reserved  ...                                |
///  8| LUN                                                           |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag                                           |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36/ Reserved                                                      /
/// </code>
/// </summary>
public record struct NopInHeader(ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN)
    : IIscsiHeader<NopInHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.NopIn;

    public static NopInHeader Read(ReadOnlySpan<byte> bhs) => new(
        ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28), ReadUInt32(bhs, 32));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
    }
}

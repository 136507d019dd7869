using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// NOP-Out (RFC 7143 §11.18): a ping from the initiator, or the answer to a target's NOP-In
/// (then TargetTransferTag echoes the NOP-In's and ITT is 0xFFFFFFFF).
/// <code>
///  0|.|I| 0x00      |1| Reserved  ...                                |
///  8| LUN                                                           |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag                                           |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN                                                     |
/// 32/ Reserved                                                      /
/// </code>
/// </summary>
public record struct NopOutHeader(bool Immediate, ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint CmdSN, uint ExpStatSN)
    : IIscsiHeader<NopOutHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.NopOut;

    public static NopOutHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsImmediate(bhs), ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, Immediate, FinalBit);
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
    }
}

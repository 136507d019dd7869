using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Ready To Transfer, R2T (RFC 7143 §11.8): the target asks for DesiredDataTransferLength bytes from
/// BufferOffset, to be sent as Data-Out PDUs carrying TargetTransferTag.
/// <code>
///  0|.|.| 0x31      |1| Reserved                                     |
///  8| LUN                                                           |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag                                           |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| R2TSN                                                         |
/// 40| Buffer Offset                                                 |
/// 44| Desired Data Transfer Length                                  |
/// </code>
/// </summary>
public record struct ReadyToTransferHeader(
    ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN,
    uint R2TSN, uint BufferOffset, uint DesiredDataTransferLength)
    : IIscsiHeader<ReadyToTransferHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.ReadyToTransfer;

    public static ReadyToTransferHeader Read(ReadOnlySpan<byte> bhs) => new(
        ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28),
        ReadUInt32(bhs, 32), ReadUInt32(bhs, 36), ReadUInt32(bhs, 40), ReadUInt32(bhs, 44));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, FinalBit);
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        WriteUInt32(bhs, 36, R2TSN);
        WriteUInt32(bhs, 40, BufferOffset);
        WriteUInt32(bhs, 44, DesiredDataTransferLength);
    }
}

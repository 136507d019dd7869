using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// SCSI Data-Out (RFC 7143 §11.7): unsolicited (TTT 0xFFFFFFFF) or in answer to an R2T (TTT echoed).
/// <code>
///  0|.|.| 0x05      |F| Reserved                                     |
///  8| LUN or Reserved                                               |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag or 0xFFFFFFFF                             |
/// 24| Reserved                                                      |
/// 28| ExpStatSN                                                     |
/// 32| Reserved                                                      |
/// 36| DataSN                                                        |
/// 40| Buffer Offset                                                 |
/// 44| Reserved                                                      |
/// </code>
/// </summary>
public record struct DataOutHeader(bool Final, ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint ExpStatSN, uint DataSN, uint BufferOffset)
    : IIscsiHeader<DataOutHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.DataOut;

    public static DataOutHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsFinal(bhs), ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 28), ReadUInt32(bhs, 36), ReadUInt32(bhs, 40));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, Final ? FinalBit : (byte)0);
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 28, ExpStatSN);
        WriteUInt32(bhs, 36, DataSN);
        WriteUInt32(bhs, 40, BufferOffset);
    }
}

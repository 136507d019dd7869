using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// SCSI Data-In (RFC 7143 §11.7). With S set, the PDU also carries the command's status (no SCSI
/// Response follows, §11.7.4) and StatSN/residual are valid.
/// <code>
///  0|.|.| 0x25      |F|A|0 0 0|O|U|S| Reserved      |Status or Rsvd |
///  8| LUN or Reserved                                               |
/// 16| Initiator Task Tag                                            |
/// 20| Target Transfer Tag or 0xFFFFFFFF                             |
/// 24| StatSN or Reserved                                            |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| DataSN                                                        |
/// 40| Buffer Offset                                                 |
/// 44| Residual Count                                                |
/// </code>
/// </summary>
public record struct DataInHeader(
    bool Final, bool Acknowledge, bool Overflow, bool Underflow, bool HasStatus, byte Status, ulong Lun,
    uint InitiatorTaskTag, uint TargetTransferTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint DataSN,
    uint BufferOffset, uint ResidualCount)
    : IIscsiHeader<DataInHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.DataIn;

    public static DataInHeader Read(ReadOnlySpan<byte> bhs) => new(
        (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, (bhs[1] & 0x04) != 0, (bhs[1] & 0x02) != 0, (bhs[1] & 0x01) != 0, bhs[3],
        ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28),
        ReadUInt32(bhs, 32), ReadUInt32(bhs, 36), ReadUInt32(bhs, 40), ReadUInt32(bhs, 44));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false,
            (byte)((Final ? 0x80 : 0) | (Acknowledge ? 0x40 : 0) | (Overflow ? 0x04 : 0) | (Underflow ? 0x02 : 0) | (HasStatus ? 0x01 : 0)));
        bhs[3] = HasStatus ? Status : (byte)0;
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        WriteUInt32(bhs, 36, DataSN);
        WriteUInt32(bhs, 40, BufferOffset);
        WriteUInt32(bhs, 44, ResidualCount);
    }
}

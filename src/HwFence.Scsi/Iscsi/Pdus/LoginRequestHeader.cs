using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Login Request (RFC 7143 §11.12). The I bit is always 1. ISID (6 bytes) + TSIH identify the session;
/// the ISID together with the initiator name is the identity SCSI reservations belong to.
/// <code>
///  0|.|1| 0x03      |T|C|.|.|CSG|NSG| Version-max   | Version-min   |
///  4|TotalAHSLength | DataSegmentLength                             |
///  8| ISID                                          | TSIH          |
/// 16| Initiator Task Tag                                            |
/// 20| CID                           | Reserved                      |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN or Reserved                                         |
/// 32/ Reserved                                                      /
/// </code>
/// T: transit to NSG; C: the text continues.
/// </summary>
public record struct LoginRequestHeader(
    bool Transit, bool Continue, LoginStage CurrentStage, LoginStage NextStage, byte VersionMax, byte VersionMin,
    ulong Isid, ushort Tsih, uint InitiatorTaskTag, ushort Cid, uint CmdSN, uint ExpStatSN)
    : IIscsiHeader<LoginRequestHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.LoginRequest;

    public static LoginRequestHeader Read(ReadOnlySpan<byte> bhs) => new(
        (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, (LoginStage)((bhs[1] >> 2) & 3), (LoginStage)(bhs[1] & 3), bhs[2], bhs[3],
        ReadUInt64(bhs, 8) >> 16, ReadUInt16(bhs, 14), ReadUInt32(bhs, 16), ReadUInt16(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, true,
            (byte)((Transit ? 0x80 : 0) | (Continue ? 0x40 : 0) | (((byte)CurrentStage & 3) << 2) | ((byte)NextStage & 3)));
        bhs[2] = VersionMax;
        bhs[3] = VersionMin;
        WriteUInt64(bhs, 8, (Isid << 16) | Tsih);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt16(bhs, 20, Cid);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
    }
}

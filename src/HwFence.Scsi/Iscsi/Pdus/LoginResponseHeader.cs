using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// Login Response (RFC 7143 §11.13). Status-Class 0 = success, 1 = redirection, 2 = initiator error,
/// 3 = target error (<see cref="IscsiLoginStatus"/>).
/// <code>
///  0|.|.| 0x23      |T|C|.|.|CSG|NSG| Version-max   |Version-active |
///  4|TotalAHSLength | DataSegmentLength                             |
///  8| ISID                                          | TSIH          |
/// 16| Initiator Task Tag                                            |
/// 20| Reserved                                                      |
/// 24| StatSN                                                        |
/// 28| ExpCmdSN                                                      |
/// 32| MaxCmdSN                                                      |
/// 36| Status-Class  | Status-Detail | Reserved                      |
/// 40/ Reserved                                                      /
/// </code>
/// </summary>
public record struct LoginResponseHeader(
    bool Transit, bool Continue, LoginStage CurrentStage, LoginStage NextStage, byte VersionMax, byte VersionActive,
    ulong Isid, ushort Tsih, uint InitiatorTaskTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, byte StatusClass, byte StatusDetail)
    : IIscsiHeader<LoginResponseHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.LoginResponse;

    public static LoginResponseHeader Read(ReadOnlySpan<byte> bhs) => new(
        (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, (LoginStage)((bhs[1] >> 2) & 3), (LoginStage)(bhs[1] & 3), bhs[2], bhs[3],
        ReadUInt64(bhs, 8) >> 16, ReadUInt16(bhs, 14), ReadUInt32(bhs, 16), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28),
        ReadUInt32(bhs, 32), bhs[36], bhs[37]);

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false,
            (byte)((Transit ? 0x80 : 0) | (Continue ? 0x40 : 0) | (((byte)CurrentStage & 3) << 2) | ((byte)NextStage & 3)));
        bhs[2] = VersionMax;
        bhs[3] = VersionActive;
        WriteUInt64(bhs, 8, (Isid << 16) | Tsih);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 24, StatSN);
        WriteUInt32(bhs, 28, ExpCmdSN);
        WriteUInt32(bhs, 32, MaxCmdSN);
        bhs[36] = StatusClass;
        bhs[37] = StatusDetail;
    }
}

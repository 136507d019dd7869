using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>SNACK types (RFC 7143 §11.16.1).</summary>
public enum SnackType : byte
{
    DataR2T = 0,
    Status = 1,
    DataAck = 2,
    RDataSnack = 3,
}

/// <summary>
/// SNACK Request (RFC 7143 §11.16): asks the target to resend Data-In/R2T/status (ErrorRecoveryLevel ≥ 1;
/// HwFence negotiates level 0 and never sends it, but the target side must decode it).
/// <code>
///  0|.|.| 0x10      |1|.|.|.| Type  | Reserved                      |
///  8| LUN or Reserved                                               |
/// 16| Initiator Task Tag or 0xFFFFFFFF                              |
/// 20| Target Transfer Tag or SNACK Tag or 0xFFFFFFFF                |
/// 24| Reserved                                                      |
/// 28| ExpStatSN                                                     |
/// 32/ Reserved                                                      /
/// 40| BegRun                                                        |
/// 44| RunLength                                                     |
/// </code>
/// </summary>
public record struct SnackRequestHeader(SnackType Type, ulong Lun, uint InitiatorTaskTag, uint TargetTransferTag, uint ExpStatSN, uint BegRun, uint RunLength)
    : IIscsiHeader<SnackRequestHeader>
{
    public static IscsiOpcode Opcode => IscsiOpcode.SnackRequest;

    public static SnackRequestHeader Read(ReadOnlySpan<byte> bhs) => new(
        (SnackType)(bhs[1] & 0x0F), ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 28),
        ReadUInt32(bhs, 40), ReadUInt32(bhs, 44));

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, false, (byte)(FinalBit | ((byte)Type & 0x0F)));
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, TargetTransferTag);
        WriteUInt32(bhs, 28, ExpStatSN);
        WriteUInt32(bhs, 40, BegRun);
        WriteUInt32(bhs, 44, RunLength);
    }
}

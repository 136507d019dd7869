using static HwFence.Scsi.Iscsi.Pdus.BasicHeaderSegment;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// SCSI Command (RFC 7143 §11.3). CDBs longer than 16 bytes continue in an Extended CDB AHS
/// (<see cref="IscsiAhs"/>); <see cref="Cdb16"/> holds the first 16 bytes, zero-padded.
/// <code>
///  0|.|I| 0x01      |F|R|W|. .|ATTR | Reserved                      |
///  4|TotalAHSLength | DataSegmentLength                             |
///  8| Logical Unit Number (LUN)                                     |
/// 16| Initiator Task Tag                                            |
/// 20| Expected Data Transfer Length                                 |
/// 24| CmdSN                                                         |
/// 28| ExpStatSN                                                     |
/// 32/ SCSI Command Descriptor Block (CDB), 16 bytes                 /
/// </code>
/// F: no unsolicited Data-Out follows; R (<see cref="DataIn"/>): data from the target expected;
/// W (<see cref="DataOut"/>): data to the target expected.
/// </summary>
public record struct ScsiCommandHeader(
    bool Immediate, bool Final, bool DataIn, bool DataOut, byte TaskAttribute, ulong Lun, uint InitiatorTaskTag,
    uint ExpectedDataTransferLength, uint CmdSN, uint ExpStatSN, UInt128 Cdb16)
    : IIscsiHeader<ScsiCommandHeader>
{
    /// <summary>Task attribute SIMPLE (SAM-5 §8.6): the default for every command.</summary>
    public const byte AttributeSimple = 1;

    public static IscsiOpcode Opcode => IscsiOpcode.ScsiCommand;

    public static ScsiCommandHeader Read(ReadOnlySpan<byte> bhs) => new(
        IsImmediate(bhs), (bhs[1] & 0x80) != 0, (bhs[1] & 0x40) != 0, (bhs[1] & 0x20) != 0, (byte)(bhs[1] & 0x07),
        ReadUInt64(bhs, 8), ReadUInt32(bhs, 16), ReadUInt32(bhs, 20), ReadUInt32(bhs, 24), ReadUInt32(bhs, 28),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bhs[32..]));

    /// <summary>Packs up to 16 CDB bytes (zero-padded) for <see cref="Cdb16"/>.</summary>
    public static UInt128 PackCdb(ReadOnlySpan<byte> cdb)
    {
        Span<byte> b = stackalloc byte[16];
        b.Clear();
        cdb[..Math.Min(16, cdb.Length)].CopyTo(b);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    /// <summary>Copies the 16 CDB bytes into <paramref name="destination"/>.</summary>
    public readonly void CopyCdbTo(Span<byte> destination) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, Cdb16);

    public readonly void Write(Span<byte> bhs)
    {
        Begin(bhs, Opcode, Immediate,
            (byte)((Final ? 0x80 : 0) | (DataIn ? 0x40 : 0) | (DataOut ? 0x20 : 0) | (TaskAttribute & 0x07)));
        WriteUInt64(bhs, 8, Lun);
        WriteUInt32(bhs, 16, InitiatorTaskTag);
        WriteUInt32(bhs, 20, ExpectedDataTransferLength);
        WriteUInt32(bhs, 24, CmdSN);
        WriteUInt32(bhs, 28, ExpStatSN);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bhs[32..], Cdb16);
    }
}

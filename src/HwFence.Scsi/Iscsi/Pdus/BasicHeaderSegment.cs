using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>
/// The 48-byte Basic Header Segment every iSCSI PDU starts with (RFC 7143 §11.2.1):
/// <code>
/// Byte/     0       |       1       |       2       |       3       |
///    +---------------+---------------+---------------+---------------+
///   0|.|I| Opcode    |F|  Opcode-specific fields                     |
///    +---------------+---------------+---------------+---------------+
///   4|TotalAHSLength | DataSegmentLength                             |
///    +---------------+---------------+---------------+---------------+
///   8| LUN or Opcode-specific fields                                 |
///    +                                                               +
///  12|                                                               |
///    +---------------+---------------+---------------+---------------+
///  16| Initiator Task Tag                                            |
///    +---------------+---------------+---------------+---------------+
///  20/ Opcode-specific fields                                        /
///   +/                                                               /
///    +---------------+---------------+---------------+---------------+
///  48
/// </code>
/// The PDU continues: AHS (TotalAHSLength × 4 bytes), header digest (4, if negotiated), data segment
/// padded to a multiple of 4, data digest (4, if negotiated). Multi-byte fields are big-endian.
/// </summary>
public static class BasicHeaderSegment
{
    /// <summary>Length of the BHS.</summary>
    public const int Length = 48;

    /// <summary>Offset of TotalAHSLength (in 4-byte words).</summary>
    public const int TotalAhsLengthOffset = 4;

    /// <summary>Offset of the 3-byte DataSegmentLength.</summary>
    public const int DataSegmentLengthOffset = 5;

    /// <summary>Offset of the 8-byte LUN.</summary>
    public const int LunOffset = 8;

    /// <summary>Offset of the Initiator Task Tag.</summary>
    public const int InitiatorTaskTagOffset = 16;

    /// <summary>The largest value of the 24-bit DataSegmentLength field.</summary>
    public const int MaxDataSegmentLength = 0xFF_FFFF;

    /// <summary>The reserved tag value 0xFFFFFFFF (RFC 7143 §11.18.4: no task / no reply wanted).</summary>
    public const uint ReservedTag = 0xFFFF_FFFF;

    internal const byte ImmediateBit = 0x40;
    internal const byte FinalBit = 0x80;

    /// <summary>The opcode (low 6 bits of byte 0).</summary>
    public static IscsiOpcode GetOpcode(ReadOnlySpan<byte> bhs) => (IscsiOpcode)(bhs[0] & 0x3F);

    /// <summary>The I (immediate delivery) bit.</summary>
    public static bool IsImmediate(ReadOnlySpan<byte> bhs) => (bhs[0] & ImmediateBit) != 0;

    /// <summary>The F (final) bit of byte 1.</summary>
    public static bool IsFinal(ReadOnlySpan<byte> bhs) => (bhs[1] & FinalBit) != 0;

    /// <summary>TotalAHSLength in bytes.</summary>
    public static int GetTotalAhsLength(ReadOnlySpan<byte> bhs) => bhs[TotalAhsLengthOffset] * 4;

    /// <summary>DataSegmentLength in bytes (without padding).</summary>
    public static int GetDataSegmentLength(ReadOnlySpan<byte> bhs) =>
        (bhs[DataSegmentLengthOffset] << 16) | (bhs[DataSegmentLengthOffset + 1] << 8) | bhs[DataSegmentLengthOffset + 2];

    /// <summary>The Initiator Task Tag.</summary>
    public static uint GetInitiatorTaskTag(ReadOnlySpan<byte> bhs) => ReadUInt32(bhs, InitiatorTaskTagOffset);

    /// <summary>Sets TotalAHSLength (bytes, multiple of 4) and DataSegmentLength.</summary>
    public static void SetLengths(Span<byte> bhs, int totalAhsBytes, int dataSegmentLength)
    {
        if (totalAhsBytes % 4 != 0 || totalAhsBytes / 4 > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(totalAhsBytes), totalAhsBytes, "TotalAHSLength must be a multiple of 4 and at most 1020 bytes");
        }

        if ((uint)dataSegmentLength > MaxDataSegmentLength)
        {
            throw new ArgumentOutOfRangeException(nameof(dataSegmentLength), dataSegmentLength, "DataSegmentLength is a 24-bit field");
        }

        bhs[TotalAhsLengthOffset] = (byte)(totalAhsBytes / 4);
        bhs[DataSegmentLengthOffset] = (byte)(dataSegmentLength >> 16);
        bhs[DataSegmentLengthOffset + 1] = (byte)(dataSegmentLength >> 8);
        bhs[DataSegmentLengthOffset + 2] = (byte)dataSegmentLength;
    }

    /// <summary>Bytes of padding after a data segment of <paramref name="length"/> bytes (RFC 7143 §11.2.3).</summary>
    public static int Padding(int length) => (4 - (length & 3)) & 3;

    /// <summary>Clears the BHS and writes byte 0 (I bit + opcode) and byte 1.</summary>
    internal static void Begin(Span<byte> bhs, IscsiOpcode opcode, bool immediate, byte byte1)
    {
        bhs[..Length].Clear();
        bhs[0] = (byte)((byte)opcode | (immediate ? ImmediateBit : 0));
        bhs[1] = byte1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint ReadUInt32(ReadOnlySpan<byte> bhs, int offset) => BinaryPrimitives.ReadUInt32BigEndian(bhs[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteUInt32(Span<byte> bhs, int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(bhs[offset..], value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort ReadUInt16(ReadOnlySpan<byte> bhs, int offset) => BinaryPrimitives.ReadUInt16BigEndian(bhs[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteUInt16(Span<byte> bhs, int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(bhs[offset..], value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ReadUInt64(ReadOnlySpan<byte> bhs, int offset) => BinaryPrimitives.ReadUInt64BigEndian(bhs[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteUInt64(Span<byte> bhs, int offset, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(bhs[offset..], value);
}

/// <summary>A BHS held by value (no heap), e.g. inside a decoded <see cref="IscsiPdu"/>.</summary>
[InlineArray(BasicHeaderSegment.Length)]
public struct BhsBuffer
{
    private byte _element0;
}

/// <summary>
/// A typed view of one opcode's BHS. <see cref="Write"/> fills all 48 bytes except TotalAHSLength and
/// DataSegmentLength (set by <see cref="IscsiPduWriter"/>); <see cref="Read"/> decodes them back.
/// </summary>
public interface IIscsiHeader<TSelf> where TSelf : struct, IIscsiHeader<TSelf>
{
    /// <summary>The opcode this header type encodes.</summary>
    static abstract IscsiOpcode Opcode { get; }

    /// <summary>Decodes a BHS whose opcode is <see cref="Opcode"/> (the caller checked it).</summary>
    static abstract TSelf Read(ReadOnlySpan<byte> bhs);

    /// <summary>Encodes into the first 48 bytes of <paramref name="bhs"/>.</summary>
    void Write(Span<byte> bhs);
}

/// <summary>The 8-byte LUN field (SAM-5 §4.7): peripheral (LUN &lt; 256) or flat (LUN &lt; 16384) addressing.</summary>
public static class IscsiLun
{
    /// <summary>Encodes a LUN number as the 8-byte big-endian field value.</summary>
    public static ulong Encode(int lun)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lun);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lun, 0x3FFF);
        return lun < 256
            ? (ulong)lun << 48
            : ((ulong)(0x40 | (lun >> 8)) << 56) | ((ulong)(lun & 0xFF) << 48);
    }

    /// <summary>Decodes peripheral or flat addressing; -1 for other address methods.</summary>
    public static int Decode(ulong field)
    {
        int b0 = (int)(field >> 56);
        int b1 = (int)(field >> 48) & 0xFF;
        return (b0 >> 6) switch
        {
            0 when b0 == 0 => b1,
            1 => ((b0 & 0x3F) << 8) | b1,
            _ => -1,
        };
    }
}

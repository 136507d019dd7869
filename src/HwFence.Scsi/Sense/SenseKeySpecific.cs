using System.Buffers.Binary;

namespace HwFence.Scsi.Sense;

/// <summary>
/// Sense-key-specific field pointer (SPC-4 §4.5.2.4.2, ILLEGAL REQUEST): which byte (and bit) of
/// the CDB or parameter list was wrong.
/// </summary>
/// <param name="InCdb">C/D bit: true = the error is in the CDB, false = in the parameter data.</param>
/// <param name="FieldPointer">Byte offset of the bad field.</param>
/// <param name="BitPointer">Bit of the bad field (0-7), or null when BPV is clear.</param>
public readonly record struct SenseKeySpecific(bool InCdb, ushort FieldPointer, byte? BitPointer)
{
    /// <summary>Reads the 3 SKS bytes (SKSV in bit 7 of byte 0 must already be known set).</summary>
    public static SenseKeySpecific FromBytes(ReadOnlySpan<byte> b) =>
        new((b[0] & 0x40) != 0, BinaryPrimitives.ReadUInt16BigEndian(b.Slice(1, 2)), (b[0] & 0x08) != 0 ? (byte)(b[0] & 0x07) : null);

    public void WriteTo(Span<byte> b)
    {
        b[0] = (byte)(0x80 | (InCdb ? 0x40 : 0) | (BitPointer is byte bp ? 0x08 | (bp & 0x07) : 0));
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(1, 2), FieldPointer);
    }

    public override string ToString() =>
        $"{(InCdb ? "CDB" : "parameter list")} byte {FieldPointer}" + (BitPointer is byte bp ? $" bit {bp}" : "");
}

using System.Buffers.Binary;

namespace HwFence.Scsi.Commands;

/// <summary>
/// CDB builders. Each writes one command descriptor block into a caller-owned span and returns its
/// length, so a device can reuse one 16-byte buffer for every command (no allocation per call).
/// The CONTROL byte (last byte) is always 0: no NACA, no linking. Split by command family across
/// <c>Cdb.*.cs</c>; shared plumbing lives here.
/// </summary>
public static partial class Cdb
{
    /// <summary>The largest CDB HwFence builds (the 16-byte commands); size a reusable buffer with it.</summary>
    public const int MaxLength = 16;

    /// <summary>Checks room, clears the CDB and writes the OPERATION CODE (byte 0, SPC-4 §4.2.5.1).</summary>
    private static Span<byte> Start(Span<byte> destination, int length, byte opcode)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException(
                $"CDB buffer holds {destination.Length} bytes but operation code 0x{opcode:X2} needs {length}", nameof(destination));
        }

        var cdb = destination[..length];
        cdb.Clear();
        cdb[0] = opcode;
        return cdb;
    }

    /// <summary>Writes a 32-bit big-endian field after checking that the value fits the field's width.</summary>
    private static void WriteLength16(Span<byte> field, int value, string name)
    {
        if ((uint)value > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0..65535 for a 16-bit CDB field");
        }

        BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)value);
    }
}

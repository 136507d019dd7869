namespace HwFence.Scsi.Commands;

/// <summary>
/// An 8-byte LOGICAL UNIT NUMBER as it travels in REPORT LUNS data and iSCSI PDUs (SAM-5 §4.7).
/// HwFence encodes single-level LUNs: peripheral device addressing (byte 0 = 00h, byte 1 = LUN)
/// below 256 and flat space addressing (byte 0 = 40h | LUN[13:8], byte 1 = LUN[7:0]) up to 16383.
/// </summary>
/// <param name="Encoded">The 8 bytes as a big-endian integer.</param>
public readonly record struct ScsiLun(ulong Encoded)
{
    /// <summary>The largest LUN number a single-level flat-space LUN carries.</summary>
    public const int MaxNumber = 0x3FFF;

    /// <summary>Encodes a LUN number (SAM-5 §4.7.3.2 / §4.7.3.4).</summary>
    public static ScsiLun FromNumber(int number)
    {
        if ((uint)number > MaxNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, $"LUN must be 0..{MaxNumber}");
        }

        ulong top = number < 256 ? (ulong)number : (ulong)(0x4000 | number);
        return new ScsiLun(top << 48);
    }

    /// <summary>The LUN number for peripheral or flat space addressing; null for other methods/levels.</summary>
    public int? Number
    {
        get
        {
            if ((Encoded & 0x0000_FFFF_FFFF_FFFF) != 0)
            {
                return null; // second-level addressing or extended LUNs: not a single-level LUN
            }

            int top = (int)(Encoded >> 48);
            return (top >> 14) switch
            {
                0 when (top & 0x3F00) == 0 => top & 0xFF, // peripheral device addressing, bus 0
                1 => top & 0x3FFF,                         // flat space addressing
                _ => null,
            };
        }
    }

    public override string ToString() => Number is int n ? n.ToString() : $"0x{Encoded:X16}";
}

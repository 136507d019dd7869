using System.Buffers.Binary;

namespace HwFence.Scsi.Sense;

/// <summary>
/// Decoded sense data, fixed (0x70/0x71) or descriptor (0x72/0x73) format (SPC-4 §4.5).
/// </summary>
/// <remarks>
/// Fixed format (SPC-4 §4.5.3, table 51):
/// <code>
///  byte 0    VALID(7) | RESPONSE CODE (0x70 current, 0x71 deferred)
///  byte 2    FILEMARK | EOM | ILI | SDAT_OVFL | SENSE KEY (3..0)
///  byte 3-6  INFORMATION
///  byte 7    ADDITIONAL SENSE LENGTH (n-7)
///  byte 8-11 COMMAND-SPECIFIC INFORMATION
///  byte 12   ASC      byte 13  ASCQ
///  byte 14   FIELD REPLACEABLE UNIT CODE
///  byte 15-17 SKSV(7) | SENSE KEY SPECIFIC
/// </code>
/// Descriptor format (SPC-4 §4.5.2, table 26):
/// <code>
///  byte 0    RESPONSE CODE (0x72 current, 0x73 deferred)
///  byte 1    SENSE KEY (3..0)   byte 2 ASC   byte 3 ASCQ
///  byte 7    ADDITIONAL SENSE LENGTH, then descriptors (type, length, …)
/// </code>
/// </remarks>
public readonly record struct SenseData(
    SenseKey Key,
    AdditionalSense Additional,
    bool Deferred,
    bool Descriptor,
    ulong? Information,
    SenseKeySpecific? KeySpecific)
{
    public const int FixedLength = 18;
    public const int MaxLength = 252;

    public bool IsUnitAttention => Key == SenseKey.UnitAttention;

    /// <summary>
    /// Non-throwing parse. Returns false with a reason for empty, truncated or unknown-format
    /// sense; never reads past <paramref name="sense"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> sense, out SenseData result, out string? error)
    {
        result = default;
        if (sense.Length < 1)
        {
            error = "sense data is empty";
            return false;
        }

        byte code = (byte)(sense[0] & 0x7F);
        switch (code)
        {
            case 0x70:
            case 0x71:
                return TryParseFixed(sense, code == 0x71, out result, out error);
            case 0x72:
            case 0x73:
                return TryParseDescriptor(sense, code == 0x73, out result, out error);
            default:
                error = $"unknown sense response code 0x{code:X2} (expected 0x70-0x73)";
                return false;
        }
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static SenseData Parse(ReadOnlySpan<byte> sense) =>
        TryParse(sense, out var s, out var e) ? s : throw new SenseDataFormatException(e!);

    private static bool TryParseFixed(ReadOnlySpan<byte> s, bool deferred, out SenseData result, out string? error)
    {
        result = default;
        if (s.Length < 3)
        {
            error = $"fixed-format sense truncated at {s.Length} bytes (need at least 3 for the sense key)";
            return false;
        }

        var key = (SenseKey)(s[2] & 0x0F);
        ulong? info = (s[0] & 0x80) != 0 && s.Length >= 7 ? BinaryPrimitives.ReadUInt32BigEndian(s.Slice(3, 4)) : null;
        // The additional length bounds what the device claims to have sent; what we hold bounds what we read.
        int declared = s.Length >= 8 ? 8 + s[7] : s.Length;
        int usable = Math.Min(declared, s.Length);
        var asc = usable >= 14 ? new AdditionalSense(s[12], s[13]) : AdditionalSense.None;
        SenseKeySpecific? sks = usable >= 18 && (s[15] & 0x80) != 0 ? SenseKeySpecific.FromBytes(s.Slice(15, 3)) : null;
        result = new SenseData(key, asc, deferred, Descriptor: false, info, sks);
        error = null;
        return true;
    }

    private static bool TryParseDescriptor(ReadOnlySpan<byte> s, bool deferred, out SenseData result, out string? error)
    {
        result = default;
        if (s.Length < 4)
        {
            error = $"descriptor-format sense truncated at {s.Length} bytes (need 4 for key/ASC/ASCQ)";
            return false;
        }

        var key = (SenseKey)(s[1] & 0x0F);
        var asc = new AdditionalSense(s[2], s[3]);
        ulong? info = null;
        SenseKeySpecific? sks = null;
        if (s.Length >= 8)
        {
            int end = Math.Min(s.Length, 8 + s[7]);
            int i = 8;
            while (i + 2 <= end)
            {
                byte type = s[i];
                int len = s[i + 1];
                if (i + 2 + len > end)
                {
                    error = $"sense descriptor type 0x{type:X2} at byte {i} claims {len} bytes but only {end - i - 2} remain";
                    return false;
                }

                var body = s.Slice(i + 2, len);
                if (type == 0x00 && len >= 10) // Information descriptor (SPC-4 §4.5.2.2)
                {
                    info = BinaryPrimitives.ReadUInt64BigEndian(body.Slice(2, 8));
                }
                else if (type == 0x02 && len >= 6 && (body[2] & 0x80) != 0) // Sense key specific (§4.5.2.3)
                {
                    sks = SenseKeySpecific.FromBytes(body.Slice(2, 3));
                }

                i += 2 + len;
            }
        }

        result = new SenseData(key, asc, deferred, Descriptor: true, info, sks);
        error = null;
        return true;
    }

    /// <summary>Writes fixed-format sense (what targets send by default); returns the length (18).</summary>
    public static int WriteFixed(Span<byte> destination, SenseKey key, AdditionalSense asc, SenseKeySpecific? sks = null, uint? information = null)
    {
        if (destination.Length < FixedLength)
        {
            throw new ArgumentException($"fixed sense needs {FixedLength} bytes", nameof(destination));
        }

        var d = destination[..FixedLength];
        d.Clear();
        d[0] = (byte)(0x70 | (information.HasValue ? 0x80 : 0));
        d[2] = (byte)key;
        if (information is uint inf)
        {
            BinaryPrimitives.WriteUInt32BigEndian(d.Slice(3, 4), inf);
        }

        d[7] = FixedLength - 8;
        d[12] = asc.Asc;
        d[13] = asc.Ascq;
        sks?.WriteTo(d.Slice(15, 3));
        return FixedLength;
    }

    /// <summary>Writes descriptor-format sense (with an optional sense-key-specific descriptor); returns the length.</summary>
    public static int WriteDescriptor(Span<byte> destination, SenseKey key, AdditionalSense asc, SenseKeySpecific? sks = null)
    {
        int len = sks is null ? 8 : 16;
        if (destination.Length < len)
        {
            throw new ArgumentException($"descriptor sense needs {len} bytes", nameof(destination));
        }

        var d = destination[..len];
        d.Clear();
        d[0] = 0x72;
        d[1] = (byte)key;
        d[2] = asc.Asc;
        d[3] = asc.Ascq;
        d[7] = (byte)(len - 8);
        if (sks is { } k)
        {
            d[8] = 0x02;
            d[9] = 0x06;
            k.WriteTo(d.Slice(12, 3));
        }

        return len;
    }

    public override string ToString() =>
        $"{SenseKeyNames.Name(Key)}: {Additional}" + (KeySpecific is { } k ? $" [{k}]" : "");
}

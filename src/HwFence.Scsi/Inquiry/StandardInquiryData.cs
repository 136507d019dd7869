using System.Text;

namespace HwFence.Scsi.Inquiry;

/// <summary>
/// Standard INQUIRY data (SPC-4 §6.6.2, table 142): who made the device and what it can do.
/// <code>
///  byte 0     PERIPHERAL QUALIFIER (7-5) | PERIPHERAL DEVICE TYPE (4-0)
///  byte 1     RMB (7)
///  byte 2     VERSION (06h = SPC-4)
///  byte 3     NORMACA (5) | HISUP (4) | RESPONSE DATA FORMAT (3-0, 2)
///  byte 4     ADDITIONAL LENGTH (n-4)
///  byte 5     SCCS (7) | ACC (6) | TPGS (5-4) | 3PC (3) | PROTECT (0)
///  byte 6     ENCSERV (6) | MULTIP (4)
///  byte 7     CMDQUE (1)
///  byte 8-15  T10 VENDOR IDENTIFICATION (ASCII, space padded)
///  byte 16-31 PRODUCT IDENTIFICATION
///  byte 32-35 PRODUCT REVISION LEVEL
/// </code>
/// </summary>
public sealed record StandardInquiryData(
    byte PeripheralQualifier,
    byte DeviceType,
    bool Removable,
    byte Version,
    byte ResponseDataFormat,
    bool HiSup,
    byte Tpgs,
    bool Protect,
    bool MultiPort,
    bool CommandQueuing,
    string Vendor,
    string Product,
    string Revision)
{
    /// <summary>The mandatory part of standard INQUIRY data (SPC-4: at least 36 bytes).</summary>
    public const int Length = 36;

    /// <summary>Peripheral device type 00h: direct access block device (SBC-3).</summary>
    public const byte DirectAccessBlockDevice = 0x00;

    /// <summary>SPC-4 VERSION value.</summary>
    public const byte VersionSpc4 = 0x06;

    private const string Format = "standard INQUIRY data";

    /// <summary>A disk: SPC-4, response format 2, HISUP and CMDQUE set — what the emulator reports.</summary>
    public static StandardInquiryData Disk(string vendor, string product, string revision) =>
        new(0, DirectAccessBlockDevice, false, VersionSpc4, 2, true, 0, false, false, true, vendor, product, revision);

    /// <summary>Writes the 36 bytes, cut to <paramref name="destination"/> (the allocation length); returns bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        Span<byte> d = stackalloc byte[Length];
        d.Clear();
        d[0] = (byte)((PeripheralQualifier << 5) | (DeviceType & 0x1F));
        d[1] = (byte)(Removable ? 0x80 : 0);
        d[2] = Version;
        d[3] = (byte)((HiSup ? 0x10 : 0) | (ResponseDataFormat & 0x0F));
        d[4] = Length - 5;
        d[5] = (byte)(((Tpgs & 0x3) << 4) | (Protect ? 0x01 : 0));
        d[6] = (byte)(MultiPort ? 0x10 : 0);
        d[7] = (byte)(CommandQueuing ? 0x02 : 0);
        WriteAscii(d.Slice(8, 8), Vendor);
        WriteAscii(d.Slice(16, 16), Product);
        WriteAscii(d.Slice(32, 4), Revision);
        return AllocationLength.CopyTruncated(d[..Length], destination);
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out StandardInquiryData? result, out string? error)
    {
        result = null;
        if (data.Length < Length)
        {
            error = $"{Format} truncated at {data.Length} bytes: " + (data.Length switch
            {
                < 8 => "the flags in bytes 0-7",
                < 16 => "T10 VENDOR IDENTIFICATION (bytes 8-15)",
                < 32 => "PRODUCT IDENTIFICATION (bytes 16-31)",
                _ => "PRODUCT REVISION LEVEL (bytes 32-35)",
            }) + $" missing; SPC-4 §6.6.2 requires {Length}";
            return false;
        }

        byte format = (byte)(data[3] & 0x0F);
        if (format != 2)
        {
            error = $"{Format} RESPONSE DATA FORMAT is {format}; SPC-4 §6.6.2 requires 2";
            return false;
        }

        result = new StandardInquiryData(
            PeripheralQualifier: (byte)(data[0] >> 5),
            DeviceType: (byte)(data[0] & 0x1F),
            Removable: (data[1] & 0x80) != 0,
            Version: data[2],
            ResponseDataFormat: format,
            HiSup: (data[3] & 0x10) != 0,
            Tpgs: (byte)((data[5] >> 4) & 0x3),
            Protect: (data[5] & 0x01) != 0,
            MultiPort: (data[6] & 0x10) != 0,
            CommandQueuing: (data[7] & 0x02) != 0,
            Vendor: ReadAscii(data.Slice(8, 8)),
            Product: ReadAscii(data.Slice(16, 16)),
            Revision: ReadAscii(data.Slice(32, 4)));
        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static StandardInquiryData Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);

    /// <summary>SPC-4 §4.4.1: ASCII data fields are left-aligned and padded with spaces.</summary>
    internal static void WriteAscii(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        for (int i = 0; i < field.Length && i < text.Length; i++)
        {
            char c = text[i];
            field[i] = c is >= ' ' and <= '~' ? (byte)c : (byte)'?';
        }
    }

    /// <summary>Reads a space-padded ASCII field; non-printable bytes become '.' (as sg_inq prints them).</summary>
    internal static string ReadAscii(ReadOnlySpan<byte> field)
    {
        var sb = new StringBuilder(field.Length);
        foreach (byte b in field)
        {
            sb.Append(b is >= 0x20 and <= 0x7E ? (char)b : b == 0 ? ' ' : '.');
        }

        return sb.ToString().Trim();
    }
}

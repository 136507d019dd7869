using System.Buffers.Binary;

namespace HwFence.Scsi.Inquiry;

/// <summary>
/// The 4-byte header every vital product data page starts with (SPC-4 §7.8.1, table 589).
/// <code>
///  byte 0   PERIPHERAL QUALIFIER (7-5) | PERIPHERAL DEVICE TYPE (4-0)
///  byte 1   PAGE CODE
///  byte 2-3 PAGE LENGTH (n-3)
/// </code>
/// </summary>
public readonly record struct VpdPageHeader(byte Peripheral, byte PageCode, ushort PageLength, int Available)
{
    public const int Length = 4;

    /// <summary>Page codes HwFence decodes.</summary>
    public const byte SupportedPages = 0x00;
    public const byte UnitSerialNumber = 0x80;
    public const byte DeviceIdentification = 0x83;

    public bool Truncated => PageLength > Available;

    /// <summary>Parses the header and checks it is page <paramref name="expectedPage"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, byte expectedPage, string format, out VpdPageHeader header, out string? error)
    {
        header = default;
        if (data.Length < Length)
        {
            error = $"{format} truncated at {data.Length} bytes: the page header needs {Length}";
            return false;
        }

        if (data[1] != expectedPage)
        {
            error = $"{format}: PAGE CODE is 0x{data[1]:X2}, expected 0x{expectedPage:X2}";
            return false;
        }

        ushort pageLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        header = new VpdPageHeader(data[0], data[1], pageLength, Math.Min(pageLength, data.Length - Length));
        error = null;
        return true;
    }

    /// <summary>Writes the header for a page of <paramref name="pageLength"/> bytes after it.</summary>
    public static void Write(Span<byte> destination, byte pageCode, int pageLength, byte peripheral = 0)
    {
        destination[0] = peripheral;
        destination[1] = pageCode;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], checked((ushort)pageLength));
    }
}

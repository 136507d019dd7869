using System.Buffers.Binary;

namespace HwFence.Scsi.Commands;

/// <summary>
/// REPORT LUNS parameter data (SPC-4 §6.33, table 287).
/// <code>
///  byte 0-3  LUN LIST LENGTH (n-7, 8 bytes per LUN)
///  byte 4-7  reserved
///  byte 8-15 first LUN (SAM-5 §4.7 encoding, see <see cref="ScsiLun"/>) … last LUN
/// </code>
/// </summary>
public sealed record ReportLunsData(IReadOnlyList<ScsiLun> Luns, bool Truncated = false)
{
    public const int HeaderLength = 8;

    private const string Format = "REPORT LUNS parameter data";

    /// <summary>Writes the list (target side), cut to <paramref name="destination"/>; returns bytes written.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<ScsiLun> luns)
    {
        if (destination.Length < HeaderLength)
        {
            throw new ArgumentException($"{Format} needs at least {HeaderLength} bytes", nameof(destination));
        }

        destination[..HeaderLength].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(8 * luns.Length));
        int written = HeaderLength;
        foreach (var lun in luns)
        {
            if (written + 8 > destination.Length)
            {
                break;
            }

            BinaryPrimitives.WriteUInt64BigEndian(destination[written..], lun.Encoded);
            written += 8;
        }

        return written;
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out ReportLunsData? result, out string? error)
    {
        result = null;
        if (data.Length < HeaderLength)
        {
            error = $"{Format} truncated at {data.Length} bytes: the LUN LIST LENGTH header needs {HeaderLength}";
            return false;
        }

        uint listLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (listLength % 8 != 0)
        {
            error = $"{Format} LUN LIST LENGTH {listLength} is not a multiple of 8";
            return false;
        }

        int available = (int)Math.Min(listLength, (uint)(data.Length - HeaderLength)) / 8;
        var luns = new ScsiLun[available];
        for (int i = 0; i < available; i++)
        {
            luns[i] = new ScsiLun(BinaryPrimitives.ReadUInt64BigEndian(data.Slice(HeaderLength + 8 * i, 8)));
        }

        result = new ReportLunsData(luns, listLength > (uint)(available * 8));
        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static ReportLunsData Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r! : throw new ScsiDataFormatException(Format, e!);
}

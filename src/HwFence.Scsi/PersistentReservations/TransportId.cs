using System.Buffers.Binary;
using System.Text;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// A TransportID: the identity of an initiator port in READ FULL STATUS and SPEC_I_PT lists
/// (SPC-4 §7.6.4). HwFence decodes the iSCSI form and the fixed 24-byte FC/SAS forms; others are
/// kept raw.
/// <code>
///  byte 0    FORMAT CODE (7-6) | reserved (5-4) | PROTOCOL IDENTIFIER (3-0)
///  iSCSI (protocol 5, SPC-4 §7.6.4.6 tables 508/509):
///  byte 2-3  ADDITIONAL LENGTH (n-3, a multiple of 4)
///  byte 4-n  iSCSI NAME, null-terminated and padded (format 00b)
///            or "iSCSI NAME,i,0xISID" null-terminated (format 01b: initiator port)
///  FC (protocol 0, §7.6.4.2): 24 bytes, N_PORT_NAME in bytes 8-15
///  SAS (protocol 6, §7.6.4.7): 24 bytes, SAS ADDRESS in bytes 4-11
/// </code>
/// </summary>
public sealed record TransportId(byte ProtocolIdentifier, byte FormatCode, string? IscsiName, string? Isid, ulong? PortName, byte[] Raw)
{
    public const byte ProtocolFibreChannel = 0x0;
    public const byte ProtocolIscsi = 0x5;
    public const byte ProtocolSas = 0x6;

    private const string Format = "TransportID";

    /// <summary>Bytes the iSCSI TransportID for <paramref name="name"/> (and optional ISID) takes.</summary>
    public static int IscsiLength(string name, string? isid = null)
    {
        int text = Encoding.UTF8.GetByteCount(name) + (isid is null ? 0 : 5 + isid.Length) + 1;
        int additional = Math.Max(20, (text + 3) & ~3);
        return 4 + additional;
    }

    /// <summary>
    /// Writes an iSCSI TransportID: format 00b (name only) when <paramref name="isid"/> is null,
    /// 01b (initiator port: "name,i,0xISID") otherwise. Returns bytes written.
    /// </summary>
    public static int WriteIscsi(Span<byte> destination, string name, string? isid = null)
    {
        int length = IscsiLength(name, isid);
        if (destination.Length < length)
        {
            throw new ArgumentException($"iSCSI TransportID for '{name}' needs {length} bytes", nameof(destination));
        }

        var d = destination[..length];
        d.Clear();
        d[0] = (byte)((isid is null ? 0x00 : 0x40) | ProtocolIscsi);
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)(length - 4));
        int n = Encoding.UTF8.GetBytes(name, d[4..]);
        if (isid is not null)
        {
            n += Encoding.ASCII.GetBytes(",i,0x" + isid, d[(4 + n)..]);
        }

        return length;
    }

    /// <summary>
    /// Parses one TransportID at the start of <paramref name="data"/>; <paramref name="consumed"/> is its length.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out TransportId? result, out int consumed, out string? error)
    {
        result = null;
        consumed = 0;
        if (data.Length < 4)
        {
            error = $"{Format} truncated at {data.Length} bytes (header needs 4)";
            return false;
        }

        byte protocol = (byte)(data[0] & 0x0F);
        byte format = (byte)(data[0] >> 6);
        if (protocol == ProtocolIscsi)
        {
            int additional = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (4 + additional > data.Length)
            {
                error = $"iSCSI {Format} ADDITIONAL LENGTH is {additional} but only {data.Length - 4} bytes follow";
                return false;
            }

            var text = data.Slice(4, additional);
            int nul = text.IndexOf((byte)0);
            string s = Encoding.UTF8.GetString(nul < 0 ? text : text[..nul]);
            string name = s;
            string? isid = null;
            int sep = s.IndexOf(",i,0x", StringComparison.OrdinalIgnoreCase);
            if (format == 1 && sep >= 0)
            {
                name = s[..sep];
                isid = s[(sep + 5)..];
            }

            consumed = 4 + additional;
            result = new TransportId(protocol, format, name, isid, null, data[..consumed].ToArray());
            error = null;
            return true;
        }

        // FC, SAS and the other SCSI transport protocols use a fixed 24-byte TransportID.
        const int fixedLength = 24;
        if (data.Length < fixedLength)
        {
            error = $"{Format} for protocol 0x{protocol:X} truncated at {data.Length} bytes (needs {fixedLength})";
            return false;
        }

        ulong? port = protocol switch
        {
            ProtocolFibreChannel => BinaryPrimitives.ReadUInt64BigEndian(data[8..]),
            ProtocolSas => BinaryPrimitives.ReadUInt64BigEndian(data[4..]),
            _ => null,
        };
        consumed = fixedLength;
        result = new TransportId(protocol, format, null, null, port, data[..fixedLength].ToArray());
        error = null;
        return true;
    }

    public override string ToString() => ProtocolIdentifier switch
    {
        ProtocolIscsi => Isid is null ? $"iSCSI {IscsiName}" : $"iSCSI {IscsiName},i,0x{Isid}",
        ProtocolFibreChannel => $"FC N_PORT_NAME 0x{PortName:X16}",
        ProtocolSas => $"SAS address 0x{PortName:X16}",
        _ => $"protocol 0x{ProtocolIdentifier:X} ({Convert.ToHexString(Raw)})",
    };
}

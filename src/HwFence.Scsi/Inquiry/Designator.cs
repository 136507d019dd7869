using System.Buffers.Binary;
using System.Text;

namespace HwFence.Scsi.Inquiry;

/// <summary>
/// One designation descriptor of the Device Identification page (SPC-4 §7.8.6.1, table 598).
/// HwFence uses the logical unit's NAA (or EUI-64, or T10 vendor ID) designator to recognise
/// the same shared disk through different paths.
/// <code>
///  byte 0   PROTOCOL IDENTIFIER (7-4) | CODE SET (3-0)
///  byte 1   PIV (7) | reserved (6) | ASSOCIATION (5-4) | DESIGNATOR TYPE (3-0)
///  byte 2   reserved
///  byte 3   DESIGNATOR LENGTH (n-3)
///  byte 4-n DESIGNATOR
/// </code>
/// </summary>
public sealed record Designator(
    DesignatorType Type,
    DesignatorCodeSet CodeSet,
    DesignatorAssociation Association,
    byte ProtocolIdentifier,
    bool ProtocolIdentifierValid,
    byte[] Value)
{
    public const int HeaderLength = 4;

    /// <summary>Bytes this descriptor takes on the wire.</summary>
    public int Length => HeaderLength + Value.Length;

    /// <summary>An NAA IEEE Registered Extended designator (NAA 6h, 16 bytes) for a logical unit.</summary>
    public static Designator Naa(ReadOnlySpan<byte> value) =>
        new(DesignatorType.Naa, DesignatorCodeSet.Binary, DesignatorAssociation.LogicalUnit, 0, false, value.ToArray());

    /// <summary>A T10 vendor ID designator: 8-byte vendor then vendor-specific text.</summary>
    public static Designator T10(string vendor, string specific)
    {
        var value = new byte[8 + specific.Length];
        StandardInquiryData.WriteAscii(value.AsSpan(0, 8), vendor);
        Encoding.ASCII.GetBytes(specific, value.AsSpan(8));
        return new(DesignatorType.T10VendorId, DesignatorCodeSet.Ascii, DesignatorAssociation.LogicalUnit, 0, false, value);
    }

    /// <summary>An EUI-64 designator (8, 12 or 16 bytes).</summary>
    public static Designator Eui64(ReadOnlySpan<byte> value) =>
        new(DesignatorType.Eui64, DesignatorCodeSet.Binary, DesignatorAssociation.LogicalUnit, 0, false, value.ToArray());

    public int Write(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"designator needs {Length} bytes", nameof(destination));
        }

        destination[0] = (byte)((ProtocolIdentifier << 4) | ((byte)CodeSet & 0x0F));
        destination[1] = (byte)((ProtocolIdentifierValid ? 0x80 : 0) | (((byte)Association & 0x3) << 4) | ((byte)Type & 0x0F));
        destination[2] = 0;
        destination[3] = checked((byte)Value.Length);
        Value.CopyTo(destination[HeaderLength..]);
        return Length;
    }

    /// <summary>Parses one descriptor at the start of <paramref name="data"/> and checks the length its type requires.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out Designator? result, out string? error)
    {
        result = null;
        if (data.Length < HeaderLength)
        {
            error = $"designation descriptor truncated at {data.Length} bytes (header needs {HeaderLength})";
            return false;
        }

        int length = data[3];
        if (HeaderLength + length > data.Length)
        {
            error = $"designation descriptor DESIGNATOR LENGTH is {length} but only {data.Length - HeaderLength} bytes follow";
            return false;
        }

        var type = (DesignatorType)(data[1] & 0x0F);
        var value = data.Slice(HeaderLength, length);
        string? invalid = type switch
        {
            DesignatorType.Naa when length == 0 => "NAA designator is empty",
            DesignatorType.Naa when (value[0] >> 4) is 2 or 3 or 5 && length != 8 => $"NAA {value[0] >> 4}h designator must be 8 bytes, is {length}",
            DesignatorType.Naa when (value[0] >> 4) == 6 && length != 16 => $"NAA 6h designator must be 16 bytes, is {length}",
            DesignatorType.Eui64 when length is not (8 or 12 or 16) => $"EUI-64 designator must be 8, 12 or 16 bytes, is {length}",
            DesignatorType.T10VendorId when length < 8 => $"T10 vendor ID designator must be at least 8 bytes, is {length}",
            DesignatorType.RelativeTargetPort or DesignatorType.TargetPortGroup or DesignatorType.LogicalUnitGroup when length != 4 =>
                $"{type} designator must be 4 bytes, is {length}",
            _ => null,
        };
        if (invalid is not null)
        {
            error = invalid;
            return false;
        }

        result = new Designator(
            type,
            (DesignatorCodeSet)(data[0] & 0x0F),
            (DesignatorAssociation)((data[1] >> 4) & 0x3),
            (byte)(data[0] >> 4),
            (data[1] & 0x80) != 0,
            value.ToArray());
        error = null;
        return true;
    }

    /// <summary>The designator as Linux prints it under /dev/disk/by-id: naa.…, eui.…, t10.…, or the SCSI name string.</summary>
    public override string ToString() => Type switch
    {
        DesignatorType.Naa => "naa." + Convert.ToHexString(Value).ToLowerInvariant(),
        DesignatorType.Eui64 => "eui." + Convert.ToHexString(Value).ToLowerInvariant(),
        DesignatorType.T10VendorId => "t10." + StandardInquiryData.ReadAscii(Value.AsSpan(0, 8)) + " " + StandardInquiryData.ReadAscii(Value.AsSpan(8)),
        DesignatorType.ScsiNameString => Encoding.UTF8.GetString(Value).TrimEnd('\0'),
        DesignatorType.RelativeTargetPort => $"relative target port {BinaryPrimitives.ReadUInt16BigEndian(Value.AsSpan(2))}",
        DesignatorType.TargetPortGroup => $"target port group {BinaryPrimitives.ReadUInt16BigEndian(Value.AsSpan(2))}",
        DesignatorType.LogicalUnitGroup => $"logical unit group {BinaryPrimitives.ReadUInt16BigEndian(Value.AsSpan(2))}",
        _ => CodeSet is DesignatorCodeSet.Ascii or DesignatorCodeSet.Utf8
            ? Encoding.UTF8.GetString(Value).TrimEnd('\0', ' ')
            : "0x" + Convert.ToHexString(Value).ToLowerInvariant(),
    };
}

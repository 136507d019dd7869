using System.Buffers.Binary;

namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// PERSISTENT RESERVE IN / REPORT CAPABILITIES parameter data (SPC-4 §6.13.4, table 171): what
/// the device's PR implementation supports, read before HwFence picks a fencing method.
/// <code>
///  byte 0-1 LENGTH (0008h)
///  byte 2   RLR_C (7) | reserved (6-5) | CRH (4) | SIP_C (3) | ATP_C (2) | reserved (1) | PTPL_C (0)
///  byte 3   TMV (7) | ALLOW COMMANDS (6-4) | reserved (3-1) | PTPL_A (0)
///  byte 4   WR_EX_AR (7) | EX_AC_RO (6) | WR_EX_RO (5) | reserved (4) | EX_AC (3) | reserved (2) | WR_EX (1) | reserved (0)
///  byte 5   reserved (7-1) | EX_AC_AR (0)          (bytes 4-5: PERSISTENT RESERVATION TYPE MASK, valid when TMV)
///  byte 6-7 reserved
/// </code>
/// </summary>
public readonly record struct PrCapabilities(
    bool ReplaceLostReservationCapable,
    bool CompatibleReservationHandling,
    bool SpecifyInitiatorPortsCapable,
    bool AllTargetPortsCapable,
    bool PersistThroughPowerLossCapable,
    bool TypeMaskValid,
    byte AllowCommands,
    bool PersistThroughPowerLossActivated,
    ushort TypeMask)
{
    public const int Length = 8;

    private const string Format = "REPORT CAPABILITIES parameter data";

    /// <summary>The type-mask bit for <paramref name="type"/> (bytes 4-5 read as one big-endian word), 0 for reserved types.</summary>
    public static ushort MaskBit(PersistentReservationType type) => type switch
    {
        PersistentReservationType.WriteExclusiveAllRegistrants => 0x8000,
        PersistentReservationType.ExclusiveAccessRegistrantsOnly => 0x4000,
        PersistentReservationType.WriteExclusiveRegistrantsOnly => 0x2000,
        PersistentReservationType.ExclusiveAccess => 0x0800,
        PersistentReservationType.WriteExclusive => 0x0200,
        PersistentReservationType.ExclusiveAccessAllRegistrants => 0x0001,
        _ => 0,
    };

    /// <summary>True when the device reports support for <paramref name="type"/> (false when TMV is clear: unknown).</summary>
    public bool Supports(PersistentReservationType type) => TypeMaskValid && (TypeMask & MaskBit(type)) != 0;

    /// <summary>Builds the type mask for a set of types.</summary>
    public static ushort MaskOf(ReadOnlySpan<PersistentReservationType> types)
    {
        ushort mask = 0;
        foreach (var t in types)
        {
            mask |= MaskBit(t);
        }

        return mask;
    }

    /// <summary>Writes the 8 bytes (target side), cut to <paramref name="destination"/>; returns bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        Span<byte> d = stackalloc byte[Length];
        d.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(d, Length);
        d[2] = (byte)((ReplaceLostReservationCapable ? 0x80 : 0) | (CompatibleReservationHandling ? 0x10 : 0) |
                      (SpecifyInitiatorPortsCapable ? 0x08 : 0) | (AllTargetPortsCapable ? 0x04 : 0) |
                      (PersistThroughPowerLossCapable ? 0x01 : 0));
        d[3] = (byte)((TypeMaskValid ? 0x80 : 0) | ((AllowCommands & 0x07) << 4) | (PersistThroughPowerLossActivated ? 0x01 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(d[4..], (ushort)(TypeMask & 0xEA01));
        return AllocationLength.CopyTruncated(d[..Length], destination);
    }

    public static bool TryParse(ReadOnlySpan<byte> data, out PrCapabilities result, out string? error)
    {
        result = default;
        if (data.Length < 6)
        {
            error = $"{Format} truncated at {data.Length} bytes: LENGTH, flags and PERSISTENT RESERVATION TYPE MASK need bytes 0-5";
            return false;
        }

        ushort length = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (length < 6)
        {
            error = $"{Format} LENGTH is {length}; SPC-4 §6.13.4 requires 8";
            return false;
        }

        byte b2 = data[2], b3 = data[3];
        result = new PrCapabilities(
            ReplaceLostReservationCapable: (b2 & 0x80) != 0,
            CompatibleReservationHandling: (b2 & 0x10) != 0,
            SpecifyInitiatorPortsCapable: (b2 & 0x08) != 0,
            AllTargetPortsCapable: (b2 & 0x04) != 0,
            PersistThroughPowerLossCapable: (b2 & 0x01) != 0,
            TypeMaskValid: (b3 & 0x80) != 0,
            AllowCommands: (byte)((b3 >> 4) & 0x07),
            PersistThroughPowerLossActivated: (b3 & 0x01) != 0,
            TypeMask: BinaryPrimitives.ReadUInt16BigEndian(data[4..]));
        error = null;
        return true;
    }

    /// <summary>Throwing edge over <see cref="TryParse"/>.</summary>
    public static PrCapabilities Parse(ReadOnlySpan<byte> data) =>
        TryParse(data, out var r, out var e) ? r : throw new ScsiDataFormatException(Format, e!);
}

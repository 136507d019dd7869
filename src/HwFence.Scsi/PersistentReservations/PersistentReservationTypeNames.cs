namespace HwFence.Scsi.PersistentReservations;

/// <summary>
/// Names and command-line spellings of the reservation types (SPC-4 §6.15.2 table 191). sg_persist
/// takes the number (<c>--prout-type 5</c>); HwFence also takes the T10 abbreviations.
/// </summary>
public static class PersistentReservationTypeNames
{
    public static string Name(PersistentReservationType type) => type switch
    {
        PersistentReservationType.WriteExclusive => "Write Exclusive",
        PersistentReservationType.ExclusiveAccess => "Exclusive Access",
        PersistentReservationType.WriteExclusiveRegistrantsOnly => "Write Exclusive, registrants only",
        PersistentReservationType.ExclusiveAccessRegistrantsOnly => "Exclusive Access, registrants only",
        PersistentReservationType.WriteExclusiveAllRegistrants => "Write Exclusive, all registrants",
        PersistentReservationType.ExclusiveAccessAllRegistrants => "Exclusive Access, all registrants",
        _ => $"reserved type 0x{(byte)type:X}",
    };

    /// <summary>The T10 abbreviation: WE, EA, WE_RO, EA_RO, WE_AR, EA_AR.</summary>
    public static string Abbreviation(PersistentReservationType type) => type switch
    {
        PersistentReservationType.WriteExclusive => "WE",
        PersistentReservationType.ExclusiveAccess => "EA",
        PersistentReservationType.WriteExclusiveRegistrantsOnly => "WE_RO",
        PersistentReservationType.ExclusiveAccessRegistrantsOnly => "EA_RO",
        PersistentReservationType.WriteExclusiveAllRegistrants => "WE_AR",
        PersistentReservationType.ExclusiveAccessAllRegistrants => "EA_AR",
        _ => $"0x{(byte)type:X}",
    };

    /// <summary>True for the six types SPC-4 defines.</summary>
    public static bool IsDefined(PersistentReservationType type) => type is
        PersistentReservationType.WriteExclusive or PersistentReservationType.ExclusiveAccess or
        PersistentReservationType.WriteExclusiveRegistrantsOnly or PersistentReservationType.ExclusiveAccessRegistrantsOnly or
        PersistentReservationType.WriteExclusiveAllRegistrants or PersistentReservationType.ExclusiveAccessAllRegistrants;

    /// <summary>Parses "5", "0x5", "WE_RO" (case-insensitive) into a defined type.</summary>
    public static bool TryParse(string? text, out PersistentReservationType type, out string? error)
    {
        type = default;
        string t = (text ?? "").Trim();
        byte value;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? byte.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out value)
                : byte.TryParse(t, out value))
        {
            type = (PersistentReservationType)value;
        }
        else
        {
            foreach (var candidate in All)
            {
                if (string.Equals(Abbreviation(candidate), t, StringComparison.OrdinalIgnoreCase))
                {
                    type = candidate;
                    error = null;
                    return true;
                }
            }

            error = $"reservation type '{text}' is not a number or one of WE, EA, WE_RO, EA_RO, WE_AR, EA_AR";
            return false;
        }

        if (!IsDefined(type))
        {
            error = $"reservation type {value} is reserved; use 1 (WE), 3 (EA), 5 (WE_RO), 6 (EA_RO), 7 (WE_AR) or 8 (EA_AR)";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The six defined types in numeric order.</summary>
    public static IReadOnlyList<PersistentReservationType> All { get; } =
    [
        PersistentReservationType.WriteExclusive, PersistentReservationType.ExclusiveAccess,
        PersistentReservationType.WriteExclusiveRegistrantsOnly, PersistentReservationType.ExclusiveAccessRegistrantsOnly,
        PersistentReservationType.WriteExclusiveAllRegistrants, PersistentReservationType.ExclusiveAccessAllRegistrants,
    ];
}

namespace HwFence.Scsi.Iscsi;

/// <summary>Checks <see cref="IscsiInitiatorOptions"/> against RFC 7143's ranges before any connection is made.</summary>
public static class IscsiInitiatorOptionsValidator
{
    /// <summary>Every problem found, each naming the option and its legal range; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(IscsiInitiatorOptions o)
    {
        var errors = new List<string>();
        if (!IsIscsiName(o.InitiatorName))
        {
            errors.Add($"InitiatorName \"{o.InitiatorName}\" is not an iSCSI name (iqn.YYYY-MM.reversed.domain[:id], eui.16HEX or naa.HEX; RFC 7143 §4.2.7)");
        }

        if (o.Isid is { } isid && isid > 0xFFFF_FFFF_FFFFUL)
        {
            errors.Add($"Isid 0x{isid:X} does not fit 48 bits");
        }

        Range(errors, nameof(o.MaxRecvDataSegmentLength), o.MaxRecvDataSegmentLength, 512, 0xFF_FFFF);
        Range(errors, nameof(o.FirstBurstLength), o.FirstBurstLength, 512, 0xFF_FFFF);
        Range(errors, nameof(o.MaxBurstLength), o.MaxBurstLength, 512, 0xFF_FFFF);
        if (o.FirstBurstLength > o.MaxBurstLength)
        {
            errors.Add($"FirstBurstLength {o.FirstBurstLength} exceeds MaxBurstLength {o.MaxBurstLength} (RFC 7143 §13.14)");
        }

        Range(errors, nameof(o.DefaultTime2Wait), o.DefaultTime2Wait, 0, 3600);
        Range(errors, nameof(o.DefaultTime2Retain), o.DefaultTime2Retain, 0, 3600);
        Range(errors, nameof(o.MaxCommandsInFlight), o.MaxCommandsInFlight, 1, 4096);
        Positive(errors, nameof(o.LoginTimeout), o.LoginTimeout);
        Positive(errors, nameof(o.LogoutTimeout), o.LogoutTimeout);
        Positive(errors, nameof(o.TaskManagementTimeout), o.TaskManagementTimeout);
        Positive(errors, nameof(o.ReconnectDelay), o.ReconnectDelay);
        if (o.NopInterval < TimeSpan.Zero)
        {
            errors.Add("NopInterval must be zero (disabled) or positive");
        }

        if (o.NopInterval > TimeSpan.Zero)
        {
            Positive(errors, nameof(o.NopTimeout), o.NopTimeout);
        }

        if (o.SynchronousWait < TimeSpan.Zero || o.SynchronousWait > TimeSpan.FromSeconds(1))
        {
            errors.Add($"SynchronousWait {o.SynchronousWait} must be between zero (disabled) and 1 s (it blocks the caller's thread)");
        }

        if (o.MaxReconnectDelay < o.ReconnectDelay)
        {
            errors.Add($"MaxReconnectDelay {o.MaxReconnectDelay} is shorter than ReconnectDelay {o.ReconnectDelay}");
        }

        if (o.Chap is { } chap)
        {
            if (string.IsNullOrEmpty(chap.User) || string.IsNullOrEmpty(chap.Secret))
            {
                errors.Add("Chap needs a user name and a secret");
            }

            if (chap.Mutual && string.Equals(chap.Secret, chap.TargetSecret, StringComparison.Ordinal))
            {
                errors.Add("Chap: the target's secret must differ from the initiator's (RFC 7143 §12.1.3)");
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(IscsiInitiatorOptions o)
    {
        var errors = Validate(o);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid iSCSI initiator options: " + string.Join("; ", errors), nameof(o));
        }
    }

    /// <summary>A loose check of the iqn./eui./naa. forms (RFC 7143 §4.2.7).</summary>
    public static bool IsIscsiName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 223)
        {
            return false;
        }

        if (name.StartsWith("iqn.", StringComparison.Ordinal))
        {
            return name.Length > 12 && char.IsAsciiDigit(name[4]) && name.All(c => c < 0x80 && !char.IsWhiteSpace(c) && !char.IsAsciiLetterUpper(c));
        }

        if (name.StartsWith("eui.", StringComparison.Ordinal))
        {
            return name.Length == 20 && name.Skip(4).All(char.IsAsciiHexDigit);
        }

        return name.StartsWith("naa.", StringComparison.Ordinal) && name.Length is 20 or 36 && name.Skip(4).All(char.IsAsciiHexDigit);
    }

    private static void Range(List<string> errors, string name, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name} {value} is outside [{min}, {max}]");
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive");
        }
    }
}

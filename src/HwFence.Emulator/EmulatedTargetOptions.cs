using HwFence.Emulator.LogicalUnits;

namespace HwFence.Emulator;

/// <summary>Settings of one emulated SCSI target (its LUNs share these).</summary>
public sealed class EmulatedTargetOptions
{
    /// <summary>
    /// The target's iSCSI name. Default <c>iqn.2026-01.org.hwfence:emulator.&lt;disk name&gt;</c>
    /// (RFC 7143 §4.2.7.2 iqn format; the date is HwFence's naming-authority date).
    /// </summary>
    public string? Iqn { get; init; }

    /// <summary>Logical units served. Default 1; LUN numbers are 0..Luns-1.</summary>
    public int Luns { get; init; } = 1;

    /// <summary>Geometry and INQUIRY identity shared by every LUN.</summary>
    public LogicalUnitOptions LogicalUnit { get; init; } = new();

    /// <summary>Clock for injected latency and timeouts; tests pass a fake one. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where logins, reservation changes and faults are reported. Default: discarded.</summary>
    public IEmulatorLog Log { get; init; } = NullEmulatorLog.Instance;

    public void Validate()
    {
        if (Luns is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(Luns), Luns, "an emulated target serves 1 to 256 LUNs");
        }

        if (Iqn is { } iqn && !(iqn.StartsWith("iqn.", StringComparison.Ordinal) || iqn.StartsWith("eui.", StringComparison.Ordinal) || iqn.StartsWith("naa.", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"target name '{iqn}' is not an iSCSI name (iqn.…, eui.… or naa.…, RFC 7143 §4.2.7.2)", nameof(Iqn));
        }

        LogicalUnit.Validate();
    }
}

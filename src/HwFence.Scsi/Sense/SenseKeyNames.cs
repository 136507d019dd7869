namespace HwFence.Scsi.Sense;

/// <summary>The T10 names of sense keys, as sg3_utils prints them.</summary>
public static class SenseKeyNames
{
    public static string Name(SenseKey key) => key switch
    {
        SenseKey.NoSense => "NO SENSE",
        SenseKey.RecoveredError => "RECOVERED ERROR",
        SenseKey.NotReady => "NOT READY",
        SenseKey.MediumError => "MEDIUM ERROR",
        SenseKey.HardwareError => "HARDWARE ERROR",
        SenseKey.IllegalRequest => "ILLEGAL REQUEST",
        SenseKey.UnitAttention => "UNIT ATTENTION",
        SenseKey.DataProtect => "DATA PROTECT",
        SenseKey.BlankCheck => "BLANK CHECK",
        SenseKey.VendorSpecific => "VENDOR SPECIFIC",
        SenseKey.CopyAborted => "COPY ABORTED",
        SenseKey.AbortedCommand => "ABORTED COMMAND",
        SenseKey.VolumeOverflow => "VOLUME OVERFLOW",
        SenseKey.Miscompare => "MISCOMPARE",
        SenseKey.Completed => "COMPLETED",
        _ => $"SENSE KEY 0x{(byte)key:X}",
    };
}

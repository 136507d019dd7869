namespace HwFence.Hal.Tests;

/// <summary>
/// A test that needs a real SCSI device node. Skips, saying why, on machines without /dev/sg*
/// (these CI machines have none; `modprobe scsi_debug` or real hardware provides one).
/// </summary>
public sealed class RequiresSgDeviceFactAttribute : FactAttribute
{
    public RequiresSgDeviceFactAttribute()
    {
        if (FirstSgDevice() is null)
        {
            Skip = "no /dev/sg* on this machine: real SG_IO tests need a SCSI device (real disk, or `modprobe scsi_debug`)";
        }
        else if (!TestSupport.IsRoot)
        {
            Skip = "SG_IO on /dev/sg* needs root or CAP_SYS_RAWIO; run the tests as root";
        }
    }

    internal static string? FirstSgDevice() =>
        Directory.Exists("/dev") ? Directory.GetFiles("/dev", "sg*").Order(StringComparer.Ordinal).FirstOrDefault() : null;
}

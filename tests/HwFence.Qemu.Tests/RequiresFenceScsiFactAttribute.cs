namespace HwFence.Qemu.Tests;

/// <summary>
/// A <see cref="RequiresQemuFactAttribute"/> that also needs fence_scsi (Debian package fence-agents, installed by
/// tools/setup.sh): the guests run the host's /usr/sbin/fence_scsi over the read-only 9p root. Skipped, with the
/// reason in the results, when QEMU or fence_scsi is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresFenceScsiFactAttribute : FactAttribute
{
    public const string FenceScsi = "/usr/sbin/fence_scsi";

    public const string Corosync = "/usr/sbin/corosync";

    private readonly bool _needsCorosync;

    public RequiresFenceScsiFactAttribute()
    {
        if (QemuAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!File.Exists(FenceScsi))
        {
            Skip = $"{FenceScsi} is not installed (Debian package fence-agents; tools/setup.sh installs it)";
        }
    }

    /// <summary>The test also runs corosync in a guest (fence_scsi derives keys through corosync-cmapctl): skipped without it.</summary>
    public bool NeedsCorosync
    {
        get => _needsCorosync;
        init
        {
            _needsCorosync = value;
            if (value && Skip is null && !File.Exists(Corosync))
            {
                Skip = $"{Corosync} is not installed (Debian package corosync; tools/setup.sh installs it)";
            }
        }
    }
}

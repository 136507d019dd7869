namespace HwFence.Qemu.Tests;

/// <summary>
/// An xunit fact that boots QEMU guests: skipped, with the reason written in the results, when QEMU or the
/// guest kernel cannot be obtained on this machine (see <see cref="QemuAvailability.SkipReason"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresQemuFactAttribute : FactAttribute
{
    public RequiresQemuFactAttribute()
    {
        if (QemuAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

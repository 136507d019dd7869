using Xunit;

namespace HwFence.Testing;

/// <summary>
/// An xunit fact that runs against a real tgtd: skipped, with the reason written in the results,
/// when tgtd cannot run on this machine (see <see cref="TgtdAvailability.SkipReason"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresTgtdFactAttribute : FactAttribute
{
    public RequiresTgtdFactAttribute()
    {
        if (TgtdAvailability.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

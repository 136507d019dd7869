using HwFence.Cluster.Database;

namespace HwFence.Cluster.Registration;

/// <summary>The four registration cases of issue 6 (plus the two trivial ones), as a pure function.</summary>
public static class RegistrationDecider
{
    /// <param name="existing">The object in this node's database, or null.</param>
    /// <param name="self">This node's name.</param>
    /// <param name="runningHere">Whether the application runs on this node now.</param>
    public static RegistrationCase Decide(ApplicationObject? existing, string self, bool runningHere)
    {
        if (existing is null)
        {
            return RegistrationCase.Create;
        }

        if (existing.Host is null)
        {
            return RegistrationCase.TakeUnloaded;
        }

        if (existing.Host == self)
        {
            return runningHere ? RegistrationCase.AlreadyHosting : RegistrationCase.ResyncBeforeStart;
        }

        return existing.Primary == self ? RegistrationCase.WaitForHandover : RegistrationCase.Standby;
    }
}

namespace HwFence.Fencing.Agent;

/// <summary>Exit codes defined by the fence-agents API (doc/FenceAgentAPI.md, "Agent Operations and Return Values").</summary>
public static class FenceAgentExitCode
{
    /// <summary>The action succeeded and was verified; for status/monitor: the target is on.</summary>
    public const int Success = 0;

    /// <summary>The action failed or could not be verified, the device could not be contacted, or the options are wrong.</summary>
    public const int Failure = 1;

    /// <summary>status/monitor only: the device answered and the target is off (fenced).</summary>
    public const int Off = 2;
}

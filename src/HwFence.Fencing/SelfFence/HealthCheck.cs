namespace HwFence.Fencing.SelfFence;

/// <summary>
/// One health predicate the guard asks before each feed.
/// </summary>
/// <param name="Name">What is checked, for the log ("quorum", "own key registered", "detector not stalled").</param>
/// <param name="IsHealthy">The predicate; it must be cheap and must not block (it runs on the feed timer).</param>
/// <param name="OnFailure">
/// Null: while it fails the guard only stops feeding, so the watchdog resets the node unless the check
/// recovers within the timeout (e.g. a stalled detector). A reason: the guard self-fences at once.
/// </param>
public sealed record HealthCheck(string Name, Func<bool> IsHealthy, SelfFenceReason? OnFailure = null)
{
    /// <summary>Quorum: losing it stops the applications at once (design.md: "loses quorum, stops its applications").</summary>
    public static HealthCheck Quorum(Func<bool> hasQuorum) => new("quorum held", hasQuorum, SelfFenceReason.QuorumLost);

    /// <summary>Own key still on the fencing disk: its loss means a peer fenced this node.</summary>
    public static HealthCheck OwnKeyRegistered(Func<bool> isRegistered) => new("own key registered", isRegistered, SelfFenceReason.KeyRemoved);

    /// <summary>The detector runs on time; while it does not, feeding stops (no self-fence yet).</summary>
    public static HealthCheck DetectorNotStalled(Func<bool> isOnTime) => new("detector not stalled", isOnTime);
}

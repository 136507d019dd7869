namespace HwFence.Rig;

/// <summary>
/// The <c>kind</c> values of the event-log lines the checker reads (<see cref="RigEvent"/>). Nodes
/// write the first group; the rig writes <see cref="Fault"/> lines for what it did to the nodes.
/// </summary>
public static class RigEventKinds
{
    /// <summary>A node process started (field <c>incarnation</c>).</summary>
    public const string NodeStarted = "node-started";
    /// <summary>The node started the application (fields <c>app</c>, <c>reason</c>: initial / failover / failback / switchover).</summary>
    public const string AppStarted = "app-started";
    /// <summary>The node stopped the application (fields <c>app</c>, <c>reason</c>, e.g. fenced / failback / shutdown).</summary>
    public const string AppStopped = "app-stopped";
    /// <summary>The node began fencing <c>peer</c>.</summary>
    public const string FenceStarted = "fence-started";
    /// <summary>The fence of <c>peer</c> is complete: from now the disk refuses the peer's writes.</summary>
    public const string FenceCompleted = "fence-completed";
    /// <summary>The node registered itself on the disk again (it may write from now).</summary>
    public const string Unfenced = "unfenced";
    /// <summary>Detector: a path to <c>peer</c> changed to <c>state</c> (fields <c>path</c>, <c>state</c>).</summary>
    public const string PathState = "path-state";
    /// <summary>Detector: the verdict on <c>peer</c> changed to <c>verdict</c>.</summary>
    public const string Verdict = "verdict";
    /// <summary>The rig did something to <c>node</c> (field <c>fault</c>, one of <see cref="RigFaults"/>).</summary>
    public const string Fault = "fault";
}

/// <summary>The <c>fault</c> values of rig <see cref="RigEventKinds.Fault"/> lines.</summary>
public static class RigFaults
{
    /// <summary>SIGKILL of the node process.</summary>
    public const string Kill = "kill";
    /// <summary>SIGSTOP of the node process (frozen, still holding whatever it held).</summary>
    public const string Stop = "stop";
    /// <summary>SIGCONT after <see cref="Stop"/>.</summary>
    public const string Continue = "cont";
    /// <summary>The node's LAN links cut.</summary>
    public const string CutLan = "cut-lan";
    /// <summary>The node's serial cables cut.</summary>
    public const string CutSerial = "cut-serial";
    /// <summary>The node's path to the shared disk cut.</summary>
    public const string CutDisk = "cut-disk";
    /// <summary>Every cut of the node repaired.</summary>
    public const string Restore = "restore";

    /// <summary>
    /// Not injected: the rig saw the node's process end on its own (a self-fence exits the daemon,
    /// as a watchdog reset would end the machine). Observed by the rig, not claimed by the node.
    /// </summary>
    public const string Exited = "exited";

    /// <summary>The rig stops the node at the end of a run (SIGTERM): from then on its silence is the rig's doing.</summary>
    public const string Shutdown = "shutdown";
}

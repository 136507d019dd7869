namespace HwFence.Detection;

/// <summary>The state of one path to one peer.</summary>
public enum PathState
{
    /// <summary>Never heard, still within initdead.</summary>
    Unknown,
    /// <summary>Heard within warntime.</summary>
    Up,
    /// <summary>Silent for more than warntime (or being re-checked after a local stall), not yet deadtime.</summary>
    Late,
    /// <summary>Silent for more than deadtime (initdead for a path never heard).</summary>
    Down,
    /// <summary>This node's own end of the path is unusable: no evidence about the peer either way.</summary>
    LocallyUnusable,
}

namespace HwFence.Cluster.Registration;

/// <summary>What loading an application on this node leads to (issue 6, "Registration").</summary>
public enum RegistrationCase
{
    /// <summary>Not registered: create the object (HOST = this node) with the group's quorum.</summary>
    Create,
    /// <summary>HOST empty because the operator unloaded it: HOST = this node.</summary>
    TakeUnloaded,
    /// <summary>This node is PRIMARY and HOST names a backup: wait, paused, until the backup hands over.</summary>
    WaitForHandover,
    /// <summary>HOST names this node although it was down (every owner failed at once): resynchronise before anything starts.</summary>
    ResyncBeforeStart,
    /// <summary>Already running here as HOST: nothing to do.</summary>
    AlreadyHosting,
    /// <summary>HOST names another node and this node is a backup: stand by.</summary>
    Standby,
}

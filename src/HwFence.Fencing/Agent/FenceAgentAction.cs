namespace HwFence.Fencing.Agent;

/// <summary>The fence-agents API actions (ClusterLabs fence-agents doc/FenceAgentAPI.md, "Agent Operations").</summary>
public enum FenceAgentAction
{
    /// <summary>Unfence: register this node's key (run by Pacemaker on the target itself: on_target="1").</summary>
    On,
    /// <summary>Fence: remove the target's key from the fencing disks. The default action.</summary>
    Off,
    /// <summary>Fabric fencing cannot power a node back on: performed as <see cref="Off"/>.</summary>
    Reboot,
    /// <summary>0 when the target's key is registered, 2 when it is not, 1 when no disk answered.</summary>
    Status,
    /// <summary>Prints one "plug,alias" line per registered key.</summary>
    List,
    /// <summary>Like <see cref="List"/> with the state: "plug,alias,on".</summary>
    ListStatus,
    /// <summary>Checks that the fencing disks answer.</summary>
    Monitor,
    /// <summary>Prints the agent's XML description.</summary>
    Metadata,
    /// <summary>Checks the options only, touches no device.</summary>
    ValidateAll,
}

/// <summary>Names of <see cref="FenceAgentAction"/> as they appear in <c>action=</c>.</summary>
public static class FenceAgentActionNames
{
    /// <summary>Parses an action name case-insensitively (API: "case insensitive"); "enable"/"disable" are fence-agents' old aliases.</summary>
    public static bool TryParse(string? text, out FenceAgentAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "on" or "enable": action = FenceAgentAction.On; return true;
            case "off" or "disable": action = FenceAgentAction.Off; return true;
            case "reboot": action = FenceAgentAction.Reboot; return true;
            case "status": action = FenceAgentAction.Status; return true;
            case "list": action = FenceAgentAction.List; return true;
            case "list-status": action = FenceAgentAction.ListStatus; return true;
            case "monitor": action = FenceAgentAction.Monitor; return true;
            case "metadata" or "meta-data": action = FenceAgentAction.Metadata; return true;
            case "validate-all": action = FenceAgentAction.ValidateAll; return true;
            default: action = FenceAgentAction.Off; return false;
        }
    }

    /// <summary>The wire name of <paramref name="action"/>.</summary>
    public static string ToName(this FenceAgentAction action) => action switch
    {
        FenceAgentAction.On => "on",
        FenceAgentAction.Off => "off",
        FenceAgentAction.Reboot => "reboot",
        FenceAgentAction.Status => "status",
        FenceAgentAction.List => "list",
        FenceAgentAction.ListStatus => "list-status",
        FenceAgentAction.Monitor => "monitor",
        FenceAgentAction.Metadata => "metadata",
        FenceAgentAction.ValidateAll => "validate-all",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}

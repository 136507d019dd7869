namespace HwFence.Fencing;

/// <summary>
/// Outcome of a fence or unfence. <see cref="Succeeded"/> is true only when the action was
/// verified (e.g. the victim's key is gone from READ KEYS on a majority of fencing disks).
/// </summary>
/// <param name="Succeeded">Verified success: the victim is cut off (fence) or this node is back (unfence).</param>
/// <param name="Message">What happened, naming device, node and remedy.</param>
/// <param name="Won">Devices (disks, outlets) on which the action was verified, each with what was done.</param>
/// <param name="Lost">Devices on which it failed, each with the reason.</param>
/// <param name="ByThisNode">
/// For a fence: true when this node's own command cut the victim off on a majority of the devices;
/// false when the victim was already cut off by someone else (another backup won the race). A
/// failover starts the applications only on the node whose fence has both <see cref="Succeeded"/> and
/// <see cref="ByThisNode"/>, so two racing backups never both start them. Always true for unfence.
/// </param>
public sealed record FenceResult(
    bool Succeeded,
    string Message,
    IReadOnlyList<string> Won,
    IReadOnlyList<string> Lost,
    bool ByThisNode = true);

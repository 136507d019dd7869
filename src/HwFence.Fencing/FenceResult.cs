namespace HwFence.Fencing;

/// <summary>
/// Outcome of a fence or unfence. <see cref="Succeeded"/> is true only when the action was
/// verified (e.g. the victim's key is gone from READ KEYS on a majority of fencing disks).
/// </summary>
/// <param name="Succeeded">Verified success.</param>
/// <param name="Message">What happened, naming device, node and remedy.</param>
/// <param name="Won">Devices (disks, outlets) on which the action was verified.</param>
/// <param name="Lost">Devices on which it failed, each with the reason.</param>
public sealed record FenceResult(
    bool Succeeded,
    string Message,
    IReadOnlyList<string> Won,
    IReadOnlyList<string> Lost);

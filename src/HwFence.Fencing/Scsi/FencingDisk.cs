using HwFence.Scsi;

namespace HwFence.Fencing.Scsi;

/// <summary>
/// One shared logical unit used for fencing, with every path this node has to it (multipath: one
/// <see cref="ScsiDevice"/> per I_T nexus). Registrations are per I_T nexus (SPC-4 §5.13.1), so
/// unfencing registers on every path; preempting needs only one.
/// </summary>
/// <param name="Name">The disk as the operator names it (its first path's address by default).</param>
/// <param name="Paths">The paths, in preference order.</param>
public sealed record FencingDisk(string Name, IReadOnlyList<ScsiDevice> Paths)
{
    /// <summary>A single-path disk named after its address.</summary>
    public static FencingDisk SinglePath(ScsiDevice device) => new(device.Address, [device]);
}

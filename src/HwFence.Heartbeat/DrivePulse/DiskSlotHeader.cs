namespace HwFence.Heartbeat.DrivePulse;

/// <summary>What <c>hwfence disk init</c> writes at the start of the slot area (<see cref="DiskSlotLayout"/>).</summary>
/// <param name="ClusterId">The cluster that owns the disk; other clusters refuse it.</param>
/// <param name="SlotCount">Number of node slots (node ids 1..SlotCount).</param>
/// <param name="BlockSize">Logical block size when initialised; a disk that reports another one is refused.</param>
/// <param name="Interval">Pulse interval the cluster uses (informational for operators and tools, as sbd's header timings).</param>
/// <param name="Deadtime">Silence after which a slot's owner counts as lost.</param>
public sealed record DiskSlotHeader(ulong ClusterId, int SlotCount, int BlockSize, TimeSpan Interval, TimeSpan Deadtime);

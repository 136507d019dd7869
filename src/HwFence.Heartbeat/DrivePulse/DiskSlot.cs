namespace HwFence.Heartbeat.DrivePulse;

/// <summary>One node's slot as last written (<see cref="DiskSlotLayout"/>).</summary>
/// <param name="NodeId">The owner (equals the slot number).</param>
/// <param name="ClusterId">The owner's cluster.</param>
/// <param name="Incarnation">The owner's boot generation.</param>
/// <param name="Counter">Incremented on every write; a changing counter is the pulse.</param>
/// <param name="TimestampMicros">Owner's monotonic clock, µs (diagnostics only: clocks differ between nodes).</param>
public readonly record struct DiskSlot(int NodeId, ulong ClusterId, ulong Incarnation, ulong Counter, long TimestampMicros);

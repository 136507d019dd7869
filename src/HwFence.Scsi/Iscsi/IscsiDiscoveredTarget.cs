namespace HwFence.Scsi.Iscsi;

/// <summary>One target from a SendTargets answer: its IQN and portal addresses ("host:port,tpgt").</summary>
public sealed record IscsiDiscoveredTarget(string Name, IReadOnlyList<string> Addresses);

namespace HwFence.Detection;

/// <summary>One watched peer: its path monitors and the verdict last published for it.</summary>
internal sealed class PeerMonitor(PeerDefinition definition, PathMonitor[] paths)
{
    public int NodeId { get; } = definition.NodeId;

    public string Name { get; } = definition.Name;

    public PathMonitor[] Paths { get; } = paths;

    public Verdict Verdict { get; set; } = Verdict.Unknown;

    public string? DeadWithheldReason { get; set; }

    public bool PartitionAlarm { get; set; }

    /// <summary>The incarnation last reported in an event (a higher one heard means the peer restarted).</summary>
    public ulong ReportedIncarnation { get; set; }

    public override string ToString() => $"node {NodeId} ({Name})";
}

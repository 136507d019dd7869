namespace HwFence.Rig;

/// <summary>Everything found in the record region.</summary>
/// <param name="Records">Valid records with the block each was found in.</param>
/// <param name="Problems">Blocks that hold a corrupt record or foreign data, with the reason.</param>
public sealed record DiskRecordScan(IReadOnlyList<(ulong Lba, DemoRecord Record)> Records, IReadOnlyList<(ulong Lba, DemoBlockKind Kind, string Reason)> Problems)
{
    /// <summary>The highest record number found (0 when none).</summary>
    public ulong HighestSequence => Records.Count == 0 ? 0 : Records.Max(r => r.Record.Sequence);
}

namespace HwFence.Rig;

/// <summary>What one block of the record region holds.</summary>
public enum DemoBlockKind
{
    /// <summary>A record whose magic, length and CRC-32C check.</summary>
    Record,
    /// <summary>All zeros: never written.</summary>
    Empty,
    /// <summary>Neither a record nor zeros (another tool wrote here).</summary>
    Foreign,
    /// <summary>The record magic is there but the length or CRC-32C is wrong: a torn or corrupted write.</summary>
    Corrupt,
}

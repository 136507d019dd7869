namespace HwFence.Rig;

/// <summary>How one append of the demo application ended.</summary>
public enum DemoAppendOutcome
{
    /// <summary>The WRITE returned GOOD and the ack was logged.</summary>
    Acknowledged,
    /// <summary>RESERVATION CONFLICT: this node was fenced; the application must stop. Not acknowledged.</summary>
    Fenced,
    /// <summary>Any other status, or no status at all (transport failure): not acknowledged; the write may or may not be on the disk.</summary>
    Failed,
    /// <summary>The record region is full.</summary>
    RegionFull,
}

namespace HwFence.Rig;

/// <summary>The result of <see cref="DemoRecordLog.AppendAsync"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Sequence">The record number that was attempted.</param>
/// <param name="Lba">The block it was written to.</param>
/// <param name="Message">For anything but <see cref="DemoAppendOutcome.Acknowledged"/>: what failed and what to do.</param>
public readonly record struct DemoAppendResult(DemoAppendOutcome Outcome, ulong Sequence, ulong Lba, string? Message)
{
    public bool IsAcknowledged => Outcome == DemoAppendOutcome.Acknowledged;
}

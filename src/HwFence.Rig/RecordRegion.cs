namespace HwFence.Rig;

/// <summary>
/// The blocks of the shared disk that hold the demo application's records: record n (n ≥ 1)
/// lives in block <see cref="FirstLba"/> + n − 1, so a record's place follows from its number
/// and a successor resumes at the highest number it finds.
/// </summary>
/// <param name="FirstLba">First block of the region.</param>
/// <param name="BlockCount">Number of blocks, i.e. the largest record number the region can hold.</param>
public readonly record struct RecordRegion(ulong FirstLba, int BlockCount)
{
    /// <summary>The default region: blocks 2048..6143 (1 MiB in, 2 MiB long), clear of the first MiB where partition tables and sbd-style slots live.</summary>
    public static RecordRegion Default => new(2048, 4096);

    /// <summary>The block that holds record <paramref name="sequence"/>.</summary>
    public ulong LbaOf(ulong sequence) => FirstLba + sequence - 1;

    /// <summary>True when record <paramref name="sequence"/> fits in the region.</summary>
    public bool Holds(ulong sequence) => sequence >= 1 && sequence <= (ulong)BlockCount;

    public override string ToString() => $"blocks {FirstLba}..{FirstLba + (ulong)BlockCount - 1}";
}

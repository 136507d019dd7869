namespace HwFence.Emulator.Storage;

/// <summary>
/// The medium behind an emulated logical unit: a byte-addressed store of fixed size that the
/// device server reads and writes in whole logical blocks (SBC-3 §4.4). Implementations must allow
/// concurrent reads and writes of disjoint ranges; the logical unit serializes overlapping ones.
/// </summary>
public interface IBlockStore : IDisposable
{
    /// <summary>Capacity in bytes (a multiple of the logical block length).</summary>
    long SizeBytes { get; }

    /// <summary>
    /// A stable string that identifies this medium across restarts (the backing file's full path,
    /// or the in-memory disk's name); VPD 0x80/0x83 identifiers are derived from it.
    /// </summary>
    string Identity { get; }

    /// <summary>The backing file, or null for a memory store (APTPL state then lives in memory).</summary>
    string? BackingPath { get; }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>
    /// Writes <paramref name="source"/> at <paramref name="offset"/>. With <paramref name="forceUnitAccess"/>
    /// (FUA, SBC-3 §5.39) the data is on stable storage when this returns.
    /// </summary>
    void Write(long offset, ReadOnlySpan<byte> source, bool forceUnitAccess);

    /// <summary>Makes every completed write durable (SYNCHRONIZE CACHE, SBC-3 §5.24).</summary>
    void Flush();
}

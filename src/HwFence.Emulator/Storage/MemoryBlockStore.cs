namespace HwFence.Emulator.Storage;

/// <summary>
/// An in-memory medium for tests: allocated lazily in 64 KiB chunks, so a 1 GiB disk that is
/// only partly written costs only what was written. FUA and flush are no-ops (memory is the
/// "stable storage" of this medium). Disjoint ranges may be read and written concurrently.
/// </summary>
public sealed class MemoryBlockStore : IBlockStore
{
    private const int ChunkShift = 16; // 64 KiB: below the large-object heap threshold, so first-touch allocations stay cheap
    private const int ChunkSize = 1 << ChunkShift;
    private readonly byte[]?[] _chunks;
    private readonly object _allocate = new();

    public MemoryBlockStore(string name, long sizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        Identity = "memory:" + name;
        SizeBytes = sizeBytes;
        _chunks = new byte[]?[(sizeBytes + ChunkSize - 1) >> ChunkShift];
    }

    public long SizeBytes { get; }

    public string Identity { get; }

    public string? BackingPath => null;

    public void Read(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            long chunk = offset >> ChunkShift;
            int within = (int)(offset & (ChunkSize - 1));
            int n = Math.Min(destination.Length, ChunkSize - within);
            var data = Volatile.Read(ref _chunks[chunk]);
            if (data is null)
            {
                destination[..n].Clear();
            }
            else
            {
                data.AsSpan(within, n).CopyTo(destination);
            }

            destination = destination[n..];
            offset += n;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source, bool forceUnitAccess)
    {
        while (!source.IsEmpty)
        {
            long chunk = offset >> ChunkShift;
            int within = (int)(offset & (ChunkSize - 1));
            int n = Math.Min(source.Length, ChunkSize - within);
            var data = Volatile.Read(ref _chunks[chunk]) ?? AllocateChunk(chunk);
            source[..n].CopyTo(data.AsSpan(within, n));
            source = source[n..];
            offset += n;
        }
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }

    private byte[] AllocateChunk(long chunk)
    {
        lock (_allocate)
        {
            return _chunks[chunk] ??= new byte[ChunkSize];
        }
    }
}

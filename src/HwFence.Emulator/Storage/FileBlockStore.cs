using Microsoft.Win32.SafeHandles;

namespace HwFence.Emulator.Storage;

/// <summary>
/// A sparse backing file: created (or extended) with <c>SetLength</c> so unwritten blocks take no
/// disk space and read as zeros. Positional I/O through <see cref="RandomAccess"/> keeps concurrent
/// commands independent; FUA and SYNCHRONIZE CACHE call fsync(2) through <see cref="FileStream.Flush(bool)"/>.
/// </summary>
public sealed class FileBlockStore : IBlockStore
{
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private readonly object _flushGate = new();

    private FileBlockStore(string path, FileStream stream, long size)
    {
        BackingPath = path;
        Identity = path;
        _stream = stream;
        _handle = stream.SafeFileHandle;
        SizeBytes = size;
    }

    public long SizeBytes { get; }

    public string Identity { get; }

    public string? BackingPath { get; }

    /// <summary>
    /// Opens (creating if needed) <paramref name="path"/> with <paramref name="sizeBytes"/> bytes. An
    /// existing larger file keeps its data and is served at the requested size; a smaller one is
    /// extended sparsely. Throws <see cref="IOException"/> naming the file and the remedy.
    /// </summary>
    public static FileBlockStore Open(string path, long sizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        string full = Path.GetFullPath(path);
        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"emulator backing file {full}: cannot open for read/write ({e.Message}); check the path and its permissions", e);
        }

        try
        {
            if (stream.Length < sizeBytes)
            {
                stream.SetLength(sizeBytes); // sparse on every Linux file system HwFence supports
            }
        }
        catch (IOException e)
        {
            stream.Dispose();
            throw new IOException($"emulator backing file {full}: cannot extend to {sizeBytes} bytes ({e.Message}); free disk space or choose a smaller --size", e);
        }

        return new FileBlockStore(full, stream, sizeBytes);
    }

    public void Read(long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[done..], offset + done);
            if (n <= 0)
            {
                destination[done..].Clear(); // past EOF of a shorter file: sparse zeros
                return;
            }

            done += n;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source, bool forceUnitAccess)
    {
        RandomAccess.Write(_handle, source, offset);
        if (forceUnitAccess)
        {
            Flush();
        }
    }

    public void Flush()
    {
        lock (_flushGate)
        {
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();
}

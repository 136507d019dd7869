using System.Text.Json;

namespace HwFence.Rig;

/// <summary>
/// An ack log file of JSON lines (<see cref="AckLine"/>), appended and flushed to disk per ack so
/// that an ack survives a SIGKILL of the node right after it.
/// </summary>
public sealed class FileAckLog : IAckLog, IDisposable
{
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _writer;
    private readonly Lock _gate = new();

    public FileAckLog(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new Utf8JsonWriter(_stream);
    }

    public string Path { get; }

    public void Append(AckLine ack)
    {
        lock (_gate)
        {
            ack.WriteJson(_writer);
            _writer.Flush();
            _writer.Reset();
            _stream.WriteByte((byte)'\n');
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}

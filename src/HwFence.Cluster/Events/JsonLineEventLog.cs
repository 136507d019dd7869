namespace HwFence.Cluster.Events;

/// <summary>Appends each event as one JSON line to a file (the structured event log), flushed per line.</summary>
public sealed class JsonLineEventLog : IClusterEventSink, IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer;

    public JsonLineEventLog(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Publish(ClusterEvent e)
    {
        string line = e.ToJson();
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}

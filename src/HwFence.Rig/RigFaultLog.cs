namespace HwFence.Rig;

/// <summary>
/// The rig's own log of what it did to the nodes (rig-faults.jsonl: one <see cref="RigEventKinds.Fault"/>
/// line per kill, freeze, cut, repair or observed exit, stamped by the rig's clock), read by the
/// <see cref="InvariantChecker"/> next to the nodes' event logs. Thread-safe; lines are flushed as written;
/// after <see cref="Dispose"/> further records are ignored (the rig is being taken down, nothing is checked any more).
/// </summary>
public sealed class RigFaultLog : IDisposable
{
    /// <summary>The file name the rigs use in their working directory.</summary>
    public const string FileName = "rig-faults.jsonl";

    private readonly StreamWriter _writer;
    private bool _closed;

    public RigFaultLog(string path)
    {
        Path = path;
        _writer = new StreamWriter(path) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>Logs that the rig did <paramref name="fault"/> (one of <see cref="RigFaults"/>) to <paramref name="node"/> at <paramref name="at"/>.</summary>
    public void Record(int node, string fault, DateTimeOffset at)
    {
        lock (_writer)
        {
            if (!_closed)
            {
                _writer.WriteLine(new RigEvent(at, node, RigEventKinds.Fault) { Fault = fault }.ToJsonLine());
            }
        }
    }

    public void Dispose()
    {
        lock (_writer)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}

namespace HwFence.Heartbeat;

/// <summary>
/// Reports a path's local usability to <see cref="IHeartbeatSink.OnLocalPathState"/> only when it
/// changes, so a device that keeps failing to reopen does not flood the detector. Thread-safe.
/// </summary>
internal sealed class PathStateReporter(PathId path, IHeartbeatSink sink)
{
    private readonly object _gate = new();
    private bool? _usable;

    public bool Usable
    {
        get
        {
            lock (_gate)
            {
                return _usable == true;
            }
        }
    }

    /// <summary>The reason given with the last "unusable" report.</summary>
    public string? LastReason { get; private set; }

    public void Report(bool usable, string? reason)
    {
        lock (_gate)
        {
            if (_usable == usable)
            {
                return;
            }

            _usable = usable;
            LastReason = reason;
        }

        sink.OnLocalPathState(path, usable, reason);
    }
}

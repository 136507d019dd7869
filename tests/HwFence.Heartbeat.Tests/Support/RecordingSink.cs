using System.Collections.Concurrent;

namespace HwFence.Heartbeat.Tests.Support;

/// <summary>
/// Records what channels report. Waits block on events raised by the channel threads (real
/// sockets, real ptys) with a generous timeout that only matters when a test is failing.
/// </summary>
internal sealed class RecordingSink : IHeartbeatSink, IMessageSink, IHeartbeatStateSink
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private readonly object _gate = new();
    public List<HeartbeatReceipt> Heartbeats { get; } = new();
    public List<(int Peer, PathId Path, byte[] Payload)> Messages { get; } = new();
    public List<(int Peer, ulong Incarnation, byte[] State)> States { get; } = new();
    public List<(PathId Path, bool Usable, string? Reason)> PathStates { get; } = new();

    public void OnHeartbeat(in HeartbeatReceipt receipt)
    {
        lock (_gate)
        {
            Heartbeats.Add(receipt);
            Monitor.PulseAll(_gate);
        }
    }

    public void OnLocalPathState(PathId path, bool usable, string? reason)
    {
        lock (_gate)
        {
            PathStates.Add((path, usable, reason));
            Monitor.PulseAll(_gate);
        }
    }

    public void OnMessage(int peerNodeId, PathId path, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            Messages.Add((peerNodeId, path, payload.ToArray()));
            Monitor.PulseAll(_gate);
        }
    }

    public void OnPeerState(int peerNodeId, PathId path, ulong incarnation, ReadOnlySpan<byte> state)
    {
        lock (_gate)
        {
            States.Add((peerNodeId, incarnation, state.ToArray()));
            Monitor.PulseAll(_gate);
        }
    }

    public int HeartbeatCount
    {
        get
        {
            lock (_gate)
            {
                return Heartbeats.Count;
            }
        }
    }

    public T Snapshot<T>(Func<RecordingSink, T> read)
    {
        lock (_gate)
        {
            return read(this);
        }
    }

    /// <summary>Blocks until <paramref name="condition"/> holds (evaluated under the lock) or fails the test.</summary>
    public void WaitUntil(Func<RecordingSink, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        lock (_gate)
        {
            while (!condition(this))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    Assert.Fail($"timed out waiting for {what}; heartbeats={Heartbeats.Count} messages={Messages.Count} " +
                                $"path states=[{string.Join("; ", PathStates.Select(p => $"{p.Usable}:{p.Reason}"))}]");
                }

                Monitor.Wait(_gate, left);
            }
        }
    }
}

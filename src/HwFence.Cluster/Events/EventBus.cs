using System.Threading.Channels;

namespace HwFence.Cluster.Events;

/// <summary>
/// Fans each event out to the event log, to in-process followers (the stream behind
/// <c>hwfence events --follow</c>) and to the notification command. Keeps the last
/// <see cref="HistorySize"/> events so a follower that connects late sees recent history.
/// </summary>
public sealed class EventBus : IClusterEventSink, IDisposable
{
    /// <summary>Recent events kept for late followers and <c>status</c>. 1000 ≈ a busy hour of a small cluster.</summary>
    public const int HistorySize = 1000;

    private readonly object _gate = new();
    private readonly List<Channel<ClusterEvent>> _followers = new();
    private readonly Queue<ClusterEvent> _history = new();
    private readonly IReadOnlyList<IClusterEventSink> _outputs;

    public EventBus(params IClusterEventSink[] outputs) => _outputs = outputs;

    public void Publish(ClusterEvent e)
    {
        Channel<ClusterEvent>[] followers;
        lock (_gate)
        {
            _history.Enqueue(e);
            if (_history.Count > HistorySize)
            {
                _history.Dequeue();
            }

            followers = _followers.ToArray();
        }

        foreach (var output in _outputs)
        {
            output.Publish(e);
        }

        foreach (var f in followers)
        {
            f.Writer.TryWrite(e);
        }
    }

    /// <summary>Events published so far (up to <see cref="HistorySize"/>), oldest first.</summary>
    public IReadOnlyList<ClusterEvent> History
    {
        get
        {
            lock (_gate)
            {
                return _history.ToArray();
            }
        }
    }

    /// <summary>
    /// A live stream of events from now on (after <paramref name="replayHistory"/> past events, if asked).
    /// The stream is bounded (10 000, dropping the oldest) so a stuck follower cannot grow memory without limit.
    /// </summary>
    public async IAsyncEnumerable<ClusterEvent> FollowAsync(bool replayHistory = false, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<ClusterEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        ClusterEvent[] past;
        lock (_gate)
        {
            past = replayHistory ? _history.ToArray() : [];
            _followers.Add(channel);
        }

        try
        {
            foreach (var e in past)
            {
                yield return e;
            }

            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var e))
                {
                    yield return e;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _followers.Remove(channel);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var f in _followers)
            {
                f.Writer.TryComplete();
            }

            _followers.Clear();
        }

        foreach (var o in _outputs)
        {
            (o as IDisposable)?.Dispose();
        }
    }
}

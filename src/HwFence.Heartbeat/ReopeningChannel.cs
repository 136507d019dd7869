using HwFence.Heartbeat.Frames;

namespace HwFence.Heartbeat;

/// <summary>
/// What the LAN and serial channels share: an OS resource (a UDP socket, a tty) that can fail and be
/// re-created, a send timer from the injected <see cref="TimeProvider"/>, and a dedicated receive
/// thread blocking on the resource. When the resource fails (its address or device went away) the
/// path is reported locally unusable and the timer re-creates it with a doubling backoff
/// (<see cref="ReopenBackoff"/>) until it works again; no thread ever sleeps.
/// </summary>
/// <typeparam name="TResource">The socket or port.</typeparam>
public abstract class ReopeningChannel<TResource> : IHeartbeatChannel
    where TResource : class, IDisposable
{
    private readonly PathStateReporter _state;
    private readonly ReopenBackoff _backoff;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _resourceChanged = new(0);
    private readonly object _gate = new();
    private TResource? _resource;
    private IDisposable? _timer;
    private Thread? _receiveThread;
    private int _ticking;
    private volatile bool _disposed;

    private protected ReopeningChannel(
        HeartbeatIdentity identity, PathId path, ChannelCallbacks callbacks, TimeProvider time,
        TimeSpan interval, TimeSpan reopenInitial, TimeSpan reopenMax)
    {
        Path = path;
        Time = time;
        Counters = new ChannelCounters();
        Sender = new FrameSender(identity, callbacks.StateProvider, time);
        Receiver = new FrameReceiver(identity, path, callbacks, Counters, time);
        _state = new PathStateReporter(path, callbacks.Heartbeats);
        _backoff = new ReopenBackoff(time, reopenInitial, reopenMax);
        _interval = interval;
    }

    public PathId Path { get; }

    public ChannelCounters Counters { get; }

    public bool LocallyUsable => _state.Usable;

    /// <summary>Why the path was last reported unusable.</summary>
    public string? LastProblem => _state.LastReason;

    /// <summary>The receive half (replay windows), for tests and status.</summary>
    public FrameReceiver Receiver { get; }

    private protected FrameSender Sender { get; }

    private protected TimeProvider Time { get; }

    /// <summary>The open resource, or null while the path is down.</summary>
    private protected TResource? Current => _resource;

    private protected bool IsDisposed => _disposed;

    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_timer is not null)
        {
            return;
        }

        TryOpen();
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"hwfence {Path} receive" };
        _receiveThread.Start();
        _timer = ShareTimer
            ? SharedTicker.Subscribe(Time, _interval, Tick)
            : Time.CreateTimer(static s => ((ReopeningChannel<TResource>)s!).Tick(), this, _interval, _interval);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _timer?.Dispose();
        TResource? resource;
        lock (_gate)
        {
            resource = _resource;
            _resource = null;
        }

        DisposeQuietly(resource); // unblocks a receive in progress
        _resourceChanged.Release();
        _receiveThread?.Join(TimeSpan.FromSeconds(10));
        _resourceChanged.Dispose();
    }

    /// <summary>Opens the resource; throws what <see cref="IsResourceFailure"/> recognises when it cannot.</summary>
    private protected abstract TResource Open();

    /// <summary>Operator-facing text for a failed open (names the address/device and the remedy).</summary>
    private protected abstract string DescribeOpenFailure(Exception error);

    /// <summary>Whether <paramref name="error"/> is the resource failing (to be reopened), as opposed to a bug.</summary>
    private protected abstract bool IsResourceFailure(Exception error);

    /// <summary>Blocks for one receive (up to a timeout, or until the resource is disposed) and hands what arrived to <see cref="Deliver"/>.</summary>
    private protected abstract void ReceiveOnce(TResource resource);

    /// <summary>Sends one heartbeat now, if the resource is open.</summary>
    private protected abstract void SendHeartbeatNow();

    /// <summary>
    /// Whether this channel's tick may share one timer with the other channels of the same interval
    /// (<see cref="SharedTicker"/>): only when <see cref="SendHeartbeatNow"/> never blocks. Default false.
    /// </summary>
    private protected virtual bool ShareTimer => false;

    /// <summary>Called on the receive thread after a (re)open, before the first receive.</summary>
    private protected virtual void OnReopened()
    {
    }

    /// <summary>Hands one received frame to the <see cref="Receiver"/>; a sink that throws does not stop the receive loop.</summary>
    private protected void Deliver(ReadOnlySpan<byte> frame)
    {
        try
        {
            Receiver.Receive(frame);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            System.Diagnostics.Trace.TraceError($"{Path}: heartbeat sink failed: {e}");
        }
    }

    /// <summary>The resource failed: report the path unusable, close it and let the timer re-create it after the backoff.</summary>
    private protected void Fail(TResource resource, string reason)
    {
        lock (_gate)
        {
            if (_resource != resource)
            {
                return; // already replaced
            }

            _resource = null;
        }

        DisposeQuietly(resource);
        TimeSpan wait = _backoff.Failed();
        if (!_disposed)
        {
            _state.Report(false, $"{Path}: {reason}; reopening in {wait.TotalSeconds:0.#} s.");
        }
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return; // the previous tick is still running (a stalled write): skip, never pile up
        }

        try
        {
            if (_resource is null && !_disposed && _backoff.Due())
            {
                TryOpen();
            }

            SendHeartbeatNow();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A timer callback must not throw (it would end the process); the path shows the failure.
            Counters.OnSendError();
            _state.Report(false, $"{Path}: heartbeat send failed: {e.Message}");
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void TryOpen()
    {
        TResource resource;
        try
        {
            resource = Open();
        }
        catch (Exception e) when (IsResourceFailure(e))
        {
            TimeSpan wait = _backoff.Failed();
            _state.Report(false, $"{Path}: {DescribeOpenFailure(e)} Retrying every {wait.TotalSeconds:0.#} s or more.");
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                DisposeQuietly(resource);
                return;
            }

            _resource = resource;
        }

        _backoff.Succeeded();
        _resourceChanged.Release();
        _state.Report(true, null);
    }

    private void ReceiveLoop()
    {
        while (!_disposed)
        {
            TResource? resource = _resource;
            if (resource is null)
            {
                _resourceChanged.Wait(TimeSpan.FromSeconds(1)); // woken by TryOpen or Dispose
                if (_resource is not null)
                {
                    OnReopened();
                }

                continue;
            }

            try
            {
                ReceiveOnce(resource);
            }
            catch (Exception e) when (e is ObjectDisposedException || IsResourceFailure(e))
            {
                if (!_disposed)
                {
                    Fail(resource, $"receive failed: {e.Message}");
                }
            }
        }
    }

    private static void DisposeQuietly(TResource? resource)
    {
        try
        {
            resource?.Dispose();
        }
        catch (IOException)
        {
            // closing a vanished device may fail; it is gone either way
        }
    }
}

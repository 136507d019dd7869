using System.Diagnostics;
using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Events;

/// <summary>
/// Runs the configured notification command once per event, like a Pacemaker alert agent:
/// the event as HWFENCE_EVENT_* environment variables and as one JSON line on stdin. Runs are
/// serialised on a background queue so a slow command never blocks the cluster; a run past the
/// timeout is killed and reported on <see cref="Failures"/>.
/// </summary>
public sealed class NotificationCommand : IClusterEventSink, IDisposable
{
    private readonly NotificationConfig _config;
    private readonly System.Threading.Channels.Channel<ClusterEvent> _queue =
        System.Threading.Channels.Channel.CreateBounded<ClusterEvent>(new System.Threading.Channels.BoundedChannelOptions(1000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
    private readonly Task _worker;

    public NotificationCommand(NotificationConfig config)
    {
        if (config.Argv.Count == 0)
        {
            throw new ArgumentException("notification.command needs at least the program to run", nameof(config));
        }

        _config = config;
        _worker = Task.Run(RunQueueAsync);
    }

    /// <summary>Called with a message when a run fails (cannot start, non-zero exit, timeout).</summary>
    public event Action<string>? Failures;

    public void Publish(ClusterEvent e) => _queue.Writer.TryWrite(e);

    /// <summary>Waits until every queued event has been handed to the command (for shutdown and tests).</summary>
    public async Task DrainAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private async Task RunQueueAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync(e).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Failures?.Invoke($"notification command {_config.Argv[0]}: {ex.Message} — check notification.command in the config");
            }
        }
    }

    private async Task RunOnceAsync(ClusterEvent e)
    {
        var psi = new ProcessStartInfo(_config.Argv[0]) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in _config.Argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in e.ToEnvironment())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("process did not start");
        try
        {
            await process.StandardInput.WriteLineAsync(e.ToJson()).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command need not read stdin.
        }

        using var cts = new CancellationTokenSource(_config.Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Failures?.Invoke($"notification command {_config.Argv[0]} ran past {_config.Timeout.TotalSeconds:0.#} s for event {e.Kind} and was killed");
            return;
        }

        if (process.ExitCode != 0)
        {
            Failures?.Invoke($"notification command {_config.Argv[0]} exited with {process.ExitCode} for event {e.Kind}");
        }
    }

    public void Dispose() => _queue.Writer.TryComplete();
}

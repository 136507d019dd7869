using System.Collections.Concurrent;
using System.Diagnostics;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Hal.Processes;

namespace HwFence.Cluster.Supervisor;

/// <summary>
/// Runs each application's COMMAND as a child process: argv without a shell, its environment
/// and working directory, optionally as another user (through runuser(1), which needs root).
/// The child is started through setsid(1) so it leads its own process group and a stop reaches
/// every process it forked. Output lines go to <see cref="Output"/> (the daemon writes them to
/// the application's log). An unexpected exit is restarted in place up to the application's
/// restart limit; one more exit raises <see cref="FailoverRequested"/>. Stop sends SIGTERM to the
/// group, waits the grace period, then SIGKILL, and returns true only when the group is gone.
/// </summary>
public sealed class ProcessSupervisor : IApplicationRunner, IDisposable
{
    private readonly ConcurrentDictionary<string, Child> _children = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _stopGrace;
    private readonly IClusterEventSink? _events;
    private readonly string _nodeName;

    /// <param name="stopGrace">Time between SIGTERM and SIGKILL (timings.stop_grace).</param>
    public ProcessSupervisor(string nodeName, TimeSpan stopGrace, TimeProvider time, IClusterEventSink? events = null)
    {
        _nodeName = nodeName;
        _stopGrace = stopGrace;
        _time = time;
        _events = events;
    }

    /// <summary>Each line the application writes, as (tag, "stdout"|"stderr", line).</summary>
    public event Action<string, string, string>? Output;

    public event Action<string, string>? FailoverRequested;

    /// <summary>Extra environment given to every application (e.g. HWFENCE_API_SOCKET).</summary>
    public Dictionary<string, string> CommonEnvironment { get; } = new();

    public bool IsRunning(string tag) => _children.TryGetValue(tag, out var c) && c.Process is { HasExited: false };

    /// <summary>Process id of the running application (the process-group leader), or null.</summary>
    public int? ProcessId(string tag) => _children.TryGetValue(tag, out var c) && c.Process is { HasExited: false } p ? p.Id : null;

    /// <summary>Exits seen since the last explicit start.</summary>
    public int Restarts(string tag) => _children.TryGetValue(tag, out var c) ? c.Restarts : 0;

    /// <summary>
    /// Asked before every start and every restart in place: a reason this node must not run
    /// anything now (it was fenced, it lost its disk path), or null. The daemon sets it; a vetoed
    /// start throws, a vetoed restart becomes a failover request.
    /// </summary>
    public Func<ApplicationObject, string?>? StartVeto { get; set; }

    public Task StartAsync(ApplicationObject app, CancellationToken cancellationToken = default)
    {
        if (StartVeto?.Invoke(app) is { } veto)
        {
            throw new InvalidOperationException($"application '{app.Tag}' not started on {_nodeName}: {veto}");
        }

        if (app.Command.Argv.Count == 0)
        {
            throw new InvalidOperationException($"application '{app.Tag}': COMMAND has no argv; set command.argv in the config");
        }

        if (IsRunning(app.Tag))
        {
            return Task.CompletedTask;
        }

        var child = new Child(app);
        _children[app.Tag] = child;
        Launch(child);
        return Task.CompletedTask;
    }

    private void Launch(Child child)
    {
        var app = child.App;
        var psi = BuildStartInfo(app);
        foreach (var (k, v) in CommonEnvironment)
        {
            psi.Environment[k] = v;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output?.Invoke(app.Tag, "stdout", e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output?.Invoke(app.Tag, "stderr", e.Data); };
        process.Exited += (_, _) => OnExited(child, process);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"application '{app.Tag}': cannot start {app.Command.Argv[0]}: {e.Message} — check command.argv and command.workdir", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        child.Process = process;
        Publish(ClusterEventKind.ApplicationStarted, app.Tag, $"application '{app.Tag}' started as pid {process.Id}");
    }

    /// <summary>
    /// setsid [runuser -u USER --] argv…, with env, workdir, HWFENCE_TAG, HWFENCE_MARKER and
    /// HWFENCE_NODE_PID (the daemon's pid: an application can tell that its node is gone).
    /// </summary>
    internal static ProcessStartInfo BuildStartInfo(ApplicationObject app)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        if (app.Command.User is { } user)
        {
            if (!Environment.UserName.Equals(user, StringComparison.Ordinal) && Environment.UserName != "root")
            {
                throw new InvalidOperationException($"application '{app.Tag}': command.user '{user}' needs the daemon to run as root (it runs as '{Environment.UserName}')");
            }

            if (Environment.UserName == "root")
            {
                foreach (var a in new[] { "runuser", "-u", user, "--" })
                {
                    psi.ArgumentList.Add(a);
                }
            }
        }

        foreach (var a in app.Command.Argv)
        {
            psi.ArgumentList.Add(a);
        }

        if (app.Command.WorkDir is { } dir)
        {
            if (!Directory.Exists(dir))
            {
                throw new InvalidOperationException($"application '{app.Tag}': working directory {dir} does not exist — create it or fix command.workdir");
            }

            psi.WorkingDirectory = dir;
        }

        foreach (var (k, v) in app.Command.Env)
        {
            psi.Environment[k] = v;
        }

        psi.Environment["HWFENCE_TAG"] = app.Tag;
        psi.Environment["HWFENCE_NODE_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (app.Marker is { } marker)
        {
            psi.Environment["HWFENCE_MARKER"] = marker;
        }

        return psi;
    }

    private void OnExited(Child child, Process process)
    {
        if (child.Stopping || !ReferenceEquals(child.Process, process) || !_children.TryGetValue(child.App.Tag, out var current) || current != child)
        {
            return;
        }

        int code = process.ExitCode;
        child.Restarts++;
        string tag = child.App.Tag;
        Publish(ClusterEventKind.ApplicationExited, tag, $"application '{tag}' (pid {process.Id}) exited with code {code} (exit {child.Restarts} of {child.App.RestartLimit} allowed restarts)");
        string? veto = StartVeto?.Invoke(child.App);
        if (veto is not null)
        {
            Publish(ClusterEventKind.ApplicationExited, tag, $"application '{tag}' not restarted in place: {veto}");
        }
        else if (child.Restarts <= child.App.RestartLimit)
        {
            try
            {
                Launch(child);
                Publish(ClusterEventKind.ApplicationRestarted, tag, $"application '{tag}' restarted in place ({child.Restarts}/{child.App.RestartLimit})");
                return;
            }
            catch (InvalidOperationException e)
            {
                Publish(ClusterEventKind.ApplicationExited, tag, e.Message);
            }
        }

        _children.TryRemove(new KeyValuePair<string, Child>(tag, child));
        FailoverRequested?.Invoke(tag, $"application '{tag}' exited {child.Restarts} times (restart limit {child.App.RestartLimit}); last exit code {code}");
    }

    public async Task<bool> StopAsync(string tag, CancellationToken cancellationToken = default)
    {
        if (!_children.TryGetValue(tag, out var child) || child.Process is not { } process)
        {
            return true;
        }

        child.Stopping = true;
        int pgid = process.Id;
        if (!process.HasExited)
        {
            ProcessSignals.Send(-pgid, PosixSignal.Terminate);
            using var grace = new CancellationTokenSource(_stopGrace, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(grace.Token, cancellationToken);
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Publish(ClusterEventKind.ApplicationStopped, tag, $"application '{tag}' (pid {pgid}) ignored SIGTERM for {_stopGrace.TotalSeconds:0.###} s; sending SIGKILL");
            }
        }

        // Whatever is left of the group (the leader or children it forked) gets SIGKILL.
        ProcessSignals.Send(-pgid, PosixSignal.Kill);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        bool gone = process.HasExited && await GroupGoneAsync(pgid, cancellationToken).ConfigureAwait(false);
        if (gone)
        {
            _children.TryRemove(new KeyValuePair<string, Child>(tag, child));
            process.Dispose();
            Publish(ClusterEventKind.ApplicationStopped, tag, $"application '{tag}' stopped; process group {pgid} verified gone");
        }

        return gone;
    }

    /// <summary>
    /// Waits (up to the grace period) until no live process is left in group <paramref name="pgid"/>.
    /// Zombies do not count: a SIGKILLed grandchild reparented to a PID 1 that does not reap stays
    /// visible to kill(2) but holds no resources. Linux: scans /proc/*/stat (field 5 = pgrp, field 3 = state).
    /// </summary>
    private async Task<bool> GroupGoneAsync(int pgid, CancellationToken ct)
    {
        long start = _time.GetTimestamp();
        while (true)
        {
            if (!LiveGroupMembers(pgid).Any())
            {
                return true;
            }

            if (_time.GetElapsedTime(start) > _stopGrace)
            {
                return false;
            }

            ProcessSignals.Send(-pgid, PosixSignal.Kill);
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct).ConfigureAwait(false);
        }
    }

    internal static IEnumerable<int> LiveGroupMembers(int pgid)
    {
        if (!Directory.Exists("/proc/self"))
        {
            if (ProcessSignals.Exists(-pgid))
            {
                yield return pgid;
            }

            yield break;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }

            // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses; split after the last ')'.
            int close = stat.LastIndexOf(')');
            var fields = close < 0 ? [] : stat[(close + 2)..].Split(' ');
            if (fields.Length > 2 && int.TryParse(fields[2], out int pgrp) && pgrp == pgid && fields[0] != "Z" && fields[0] != "X")
            {
                yield return pid;
            }
        }
    }

    private void Publish(ClusterEventKind kind, string tag, string message) =>
        _events?.Publish(new ClusterEvent(_time.GetUtcNow(), kind, _nodeName, message) { Tag = tag });

    public void Dispose()
    {
        foreach (var c in _children.Values)
        {
            c.Stopping = true;
            if (c.Process is { HasExited: false } p)
            {
                ProcessSignals.Send(-p.Id, PosixSignal.Kill);
            }

            c.Process?.Dispose();
        }

        _children.Clear();
    }

    private sealed class Child(ApplicationObject app)
    {
        public ApplicationObject App { get; } = app;
        public Process? Process { get; set; }
        public int Restarts { get; set; }
        public volatile bool Stopping;
    }
}

using HwFence.Cluster.Tests.Fakes;
using System.Collections.Concurrent;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Supervisor;

namespace HwFence.Cluster.Tests.Supervisor;

/// <summary>The supervisor against real child processes (/bin/sh scripts) and real signals.</summary>
public sealed class ProcessSupervisorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-sup-").FullName;
    private readonly EventBus _events = new();
    private readonly ProcessSupervisor _sup;
    private readonly ConcurrentQueue<string> _output = new();

    public ProcessSupervisorTests()
    {
        _sup = new ProcessSupervisor("alpha", TimeSpan.FromMilliseconds(500), TimeProvider.System, _events);
        _sup.Output += (tag, stream, line) => _output.Enqueue($"{tag}/{stream}: {line}");
    }

    private static ApplicationObject App(string script, int restartLimit = 3, string? workDir = null, IReadOnlyDictionary<string, string>? env = null, string? marker = null) => new()
    {
        Tag = "app", Group = "g", Primary = "alpha", Backups = [], RestartLimit = restartLimit, Marker = marker,
        Command = new CommandSpec { Argv = ["/bin/sh", "-c", script], WorkDir = workDir, Env = env ?? new Dictionary<string, string>() },
    };

    [Fact]
    public async Task StartsWithArgvEnvWorkdirAndMarkerAndCapturesOutput()
    {
        string outFile = Path.Combine(_dir, "seen");
        await _sup.StartAsync(App($"echo \"$GREETING $HWFENCE_TAG $HWFENCE_MARKER $(pwd)\" > {outFile}; echo to-stdout; echo to-stderr >&2; sleep 30",
            workDir: _dir, env: new Dictionary<string, string> { ["GREETING"] = "hello" }, marker: "bWs="));
        await Poll.UntilAsync(() => File.Exists(outFile) && File.ReadAllText(outFile).Length > 0 && _output.Count >= 2);
        Assert.Equal($"hello app bWs= {_dir}", File.ReadAllText(outFile).Trim());
        Assert.Contains("app/stdout: to-stdout", _output);
        Assert.Contains("app/stderr: to-stderr", _output);
        Assert.True(_sup.IsRunning("app"));
        Assert.True(await _sup.StopAsync("app"));
        Assert.False(_sup.IsRunning("app"));
    }

    [Fact]
    public async Task ExitIsRestartedInPlaceUpToTheLimitThenFailoverIsRequested()
    {
        string counter = Path.Combine(_dir, "runs");
        var failover = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sup.FailoverRequested += (tag, reason) => failover.TrySetResult($"{tag}: {reason}");

        await _sup.StartAsync(App($"echo run >> {counter}; exit 7", restartLimit: 2));
        string reason = await failover.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(3, File.ReadAllLines(counter).Length); // first run + 2 restarts
        Assert.Contains("exited 3 times (restart limit 2)", reason);
        Assert.Contains("exit code 7", reason);
        Assert.Equal(2, _events.History.Count(e => e.Kind == ClusterEventKind.ApplicationRestarted));
        Assert.False(_sup.IsRunning("app"));
    }

    [Fact]
    public async Task StopEscalatesToSigkillForAProcessIgnoringSigterm()
    {
        string ready = Path.Combine(_dir, "ready");
        await _sup.StartAsync(App($"trap '' TERM; touch {ready}; while true; do sleep 0.1; done"));
        await Poll.UntilAsync(() => File.Exists(ready));
        int pid = _sup.ProcessId("app")!.Value;

        Assert.True(await _sup.StopAsync("app"));

        Assert.Empty(ProcessSupervisor.LiveGroupMembers(pid)); // the whole process group is gone (the sleeps too)
        Assert.Contains(_events.History, e => e.Kind == ClusterEventKind.ApplicationStopped && e.Message.Contains("ignored SIGTERM"));
    }

    [Fact]
    public async Task StopOfAWellBehavedProcessNeedsOnlySigterm()
    {
        string ready = Path.Combine(_dir, "ready");
        await _sup.StartAsync(App($"touch {ready}; exec sleep 30"));
        await Poll.UntilAsync(() => File.Exists(ready));
        Assert.True(await _sup.StopAsync("app"));
        Assert.DoesNotContain(_events.History, e => e.Message.Contains("ignored SIGTERM"));
        Assert.DoesNotContain(_events.History, e => e.Kind == ClusterEventKind.ApplicationRestarted); // a stop is not an exit to restart
    }

    [Fact]
    public async Task MissingProgramOrWorkdirIsAClearError()
    {
        var missing = App("true") with { Command = new CommandSpec { Argv = ["/bin/sh"], WorkDir = Path.Combine(_dir, "nope") } };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _sup.StartAsync(missing));
        Assert.Contains("working directory", e.Message);
    }


    public void Dispose()
    {
        _sup.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

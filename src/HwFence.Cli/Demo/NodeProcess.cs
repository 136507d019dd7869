using System.Diagnostics;
using HwFence.Hal.Processes;

namespace HwFence.Cli.Demo;

/// <summary>
/// One cluster node as a separate OS process (<c>hwfence node run</c>), so that failures are real:
/// SIGKILL is a crash, SIGSTOP/SIGCONT a frozen node. Its output goes to a log file.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly string _configPath;
    private readonly string _stateDir;
    private readonly string _logPath;
    private Process? _process;
    private StreamWriter? _log;

    public NodeProcess(string name, int id, string configPath, string stateDir, string logPath)
    {
        Name = name;
        Id = id;
        _configPath = configPath;
        _stateDir = stateDir;
        _logPath = logPath;
    }

    public string Name { get; }
    public int Id { get; }
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;
    public bool IsRunning => _process is { HasExited: false };
    public bool IsFrozen { get; private set; }

    /// <summary>Exit code of a daemon that fenced itself (hwfence node run: 4): a designed outcome, not a crash.</summary>
    public const int SelfFenceExitCode = 4;

    /// <summary>The process ended on its own (neither killed nor stopped by the rig), and not by fencing itself.</summary>
    public bool ExitedUnexpectedly => _process is { HasExited: true } p && !_expectedExit && p.ExitCode != SelfFenceExitCode;

    /// <summary>Called when the process ends on its own (not by the rig): the rig records it as evidence.</summary>
    public Action<NodeProcess, DateTimeOffset>? ExitedOnItsOwn { get; set; }

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    private bool _expectedExit;

    public IEnumerable<string> LastLogLines(int count)
    {
        lock (this)
        {
            _log?.Flush();
        }

        using var fs = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        var lines = new Queue<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Enqueue(line);
            if (lines.Count > count)
            {
                lines.Dequeue();
            }
        }

        return lines.ToList();
    }
    public int Starts { get; private set; }

    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"node {Name} is already running (pid {Pid})");
        }

        File.Delete(Path.Combine(_stateDir, "status.json")); // a SIGKILLed daemon leaves its last one behind
        var psi = SelfInvocation.StartInfo(["node", "run", "--config", _configPath, "--node", Name, "--state-dir", _stateDir]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true; // the node never reads it; keeps Ctrl-C of the demo's terminal away from it
        _log ??= new StreamWriter(new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.Exited += (_, _) =>
        {
            if (!_expectedExit)
            {
                ExitedOnItsOwn?.Invoke(this, DateTimeOffset.UtcNow);
            }
        };
        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        _expectedExit = false;
        IsFrozen = false;
        Starts++;
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (this)
        {
            _log?.WriteLine(line);
        }
    }

    /// <summary>
    /// SIGKILL: the node's machine dies at once, as in a crash — the daemon and every application it
    /// started (a crashed server takes its applications with it); returns when the kernel reaped it.
    /// </summary>
    public void Kill()
    {
        _expectedExit = true;
        if (_process is { HasExited: false } p)
        {
            ProcessTree.KillTree(p.Id);
            p.WaitForExit();
        }

        IsFrozen = false;
    }

    /// <summary>SIGSTOP: the node freezes with all its state, as a hung or paused server.</summary>
    public void Freeze()
    {
        if (_process is { HasExited: false } p && ProcessSignals.Send(p.Id, PosixSignal.Stop))
        {
            IsFrozen = true;
        }
    }

    /// <summary>SIGCONT: the frozen node wakes up believing no time has passed.</summary>
    public void Thaw()
    {
        if (_process is { HasExited: false } p && ProcessSignals.Send(p.Id, PosixSignal.Continue))
        {
            IsFrozen = false;
        }
    }

    /// <summary>SIGTERM with a grace period, then SIGKILL.</summary>
    public void Stop(TimeSpan grace)
    {
        _expectedExit = true;
        if (_process is not { HasExited: false } p)
        {
            return;
        }

        if (IsFrozen)
        {
            ProcessSignals.Send(p.Id, PosixSignal.Continue);
        }

        ProcessSignals.Send(p.Id, PosixSignal.Terminate);
        if (!p.WaitForExit(grace))
        {
            Kill();
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (Exception)
        {
            // Best effort on the way out: the process may already be gone.
        }

        _process?.Dispose();
        _log?.Dispose();
    }
}

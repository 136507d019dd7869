using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HwFence.Testing;

/// <summary>
/// A private tgtd (Debian <c>tgt</c>, an iSCSI target we did not write) for tests over real loopback
/// TCP. Starts <c>tgtd -f -C CTL --iscsi portal=127.0.0.1:PORT</c> on a free port with its own
/// control port (CTL, below 32768, names tgtd's Unix management socket), creates target tid 1 with a
/// sparse backing file as LUN 1 (tgt puts its controller on LUN 0), bound to every initiator.
/// <para>
/// Use it as an xunit class fixture (<c>IClassFixture&lt;TgtdFixture&gt;</c>) or collection fixture
/// (the <c>[CollectionDefinition]</c> must live in the test assembly), and mark tests with
/// <see cref="RequiresTgtdFactAttribute"/> so they skip with a reason where tgtd is not installed.
/// A test that needs a LUN with no reservation history calls <see cref="CreateTarget"/>.
/// </para>
/// <para>
/// <see cref="Dispose"/> deletes the targets and stops tgtd with <c>tgtadm --mode sys --op delete</c>
/// (tgtd ignores SIGTERM while it has targets), waits for it to exit, SIGKILLs it as a last resort and
/// deletes the backing files. A process-exit hook does the same if the test host dies early.
/// </para>
/// </summary>
public sealed class TgtdFixture : IDisposable
{
    /// <summary>Default size of a LUN's sparse backing file: 64 MiB (131072 blocks of 512 bytes).</summary>
    public const long DefaultLunSizeBytes = 64L * 1024 * 1024;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly object LiveGate = new();
    private static readonly HashSet<TgtdFixture> Live = new();
    private static bool _exitHookInstalled;

    private readonly object _gate = new();
    private readonly List<TgtdTarget> _targets = new();
    private readonly StringBuilder _log = new();
    private Process? _process;
    private int _nextTid = 1;
    private bool _disposed;

    /// <summary>
    /// Starts tgtd with one target (tid 1, LUN 1 of <see cref="DefaultLunSizeBytes"/>); only sets
    /// <see cref="SkipReason"/> if tgtd is missing (xunit fixtures need exactly one public constructor).
    /// </summary>
    public TgtdFixture()
    {
        SkipReason = TgtdAvailability.SkipReason;
        if (SkipReason is not null)
        {
            return;
        }

        Start();
        Default = CreateTarget();
    }

    /// <summary>Null when tgtd runs; otherwise why the tests that need it are skipped.</summary>
    public string? SkipReason { get; }

    /// <summary>The iSCSI portal port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>tgtd's control port (<c>tgtadm -C ControlPort</c>).</summary>
    public int ControlPort { get; private set; }

    /// <summary>The target created at start-up (tid 1).</summary>
    public TgtdTarget Default { get; } = null!;

    /// <summary>IQN of the default target.</summary>
    public string Iqn => Default.Iqn;

    /// <summary>Address of the default target's disk, <c>iscsi://127.0.0.1:PORT/IQN/1</c>.</summary>
    public string Address => Default.Address;

    /// <summary>LUN of the disk in every target this fixture creates (tgt's controller is LUN 0).</summary>
    public int Lun => 1;

    /// <summary>What tgtd wrote to stderr so far (included in start-up errors).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Creates another target with a fresh sparse LUN 1 — a disk with no reservation or registration
    /// history, so tests sharing one tgtd stay independent.
    /// </summary>
    public TgtdTarget CreateTarget(string? iqn = null, long lunSizeBytes = DefaultLunSizeBytes)
    {
        ThrowIfUnavailable();
        int tid;
        lock (_gate)
        {
            tid = _nextTid++;
        }

        iqn ??= string.Create(CultureInfo.InvariantCulture, $"iqn.2026-01.org.hwfence.test:tgtd-{Port}-t{tid}");
        string file = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"hwfence-tgtd-{ControlPort}-{tid}.img"));
        using (var fs = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            fs.SetLength(lunSizeBytes); // sparse: no blocks are written
        }

        var target = new TgtdTarget(tid, iqn, file, lunSizeBytes,
            string.Create(CultureInfo.InvariantCulture, $"iscsi://127.0.0.1:{Port}/{iqn}/{Lun}"));
        lock (_gate)
        {
            _targets.Add(target);
        }

        string t = tid.ToString(CultureInfo.InvariantCulture);
        Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "new", "--tid", t, "--targetname", iqn);
        Tgtadm("--lld", "iscsi", "--mode", "logicalunit", "--op", "new", "--tid", t, "--lun", "1", "--backing-store", file);
        Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "bind", "--tid", t, "--initiator-address", "ALL");
        return target;
    }

    /// <summary>
    /// Sets a target's iSCSI login parameter (tgtd's offer, e.g. <c>HeaderDigest</c> = <c>CRC32C</c>,
    /// <c>MaxRecvDataSegmentLength</c>) for sessions that log in afterwards.
    /// </summary>
    public void SetTargetParameter(TgtdTarget target, string name, string value) =>
        Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "update", "--tid",
            target.Tid.ToString(CultureInfo.InvariantCulture), "--name", name, "--value", value);

    /// <summary>Requires CHAP on <paramref name="target"/>: creates the account and binds it (incoming, i.e. the initiator authenticates).</summary>
    public void RequireChap(TgtdTarget target, string user, string secret)
    {
        Tgtadm("--lld", "iscsi", "--mode", "account", "--op", "new", "--user", user, "--password", secret);
        Tgtadm("--lld", "iscsi", "--mode", "account", "--op", "bind", "--tid",
            target.Tid.ToString(CultureInfo.InvariantCulture), "--user", user);
    }

    /// <summary>Adds an outgoing account: the target proves itself to the initiator (mutual CHAP).</summary>
    public void AddOutgoingChap(TgtdTarget target, string user, string secret)
    {
        Tgtadm("--lld", "iscsi", "--mode", "account", "--op", "new", "--user", user, "--password", secret);
        Tgtadm("--lld", "iscsi", "--mode", "account", "--op", "bind", "--tid",
            target.Tid.ToString(CultureInfo.InvariantCulture), "--user", user, "--outgoing");
    }

    /// <summary>Runs <c>tgtadm -C ControlPort ARGS</c>; throws with tgtadm's output when it fails. Returns stdout.</summary>
    public string Tgtadm(params string[] args)
    {
        ThrowIfUnavailable();
        var (rc, output) = RunTgtadm(ControlPort, args);
        if (rc != 0)
        {
            throw new InvalidOperationException(
                $"tgtadm -C {ControlPort} {string.Join(' ', args)} failed with exit code {rc}: {output.Trim()}\ntgtd log:\n{Log}");
        }

        return output;
    }

    /// <summary>Stops tgtd (see the class remarks) and deletes the backing files. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        lock (LiveGate)
        {
            Live.Remove(this);
        }

        Stop();
    }

    private void ThrowIfUnavailable()
    {
        if (SkipReason is not null)
        {
            throw new InvalidOperationException("tgtd is not available: " + SkipReason);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
    }

    private void Start()
    {
        InstallExitHook();
        string lastError = "";
        for (int attempt = 0; attempt < 8; attempt++)
        {
            ControlPort = FreePort.AllocateInRange(10000, 32768);
            Port = FreePort.Allocate();
            lock (_log)
            {
                _log.Clear();
            }

            var psi = new ProcessStartInfo(TgtdAvailability.TgtdPath!)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "-f", "-C", ControlPort.ToString(CultureInfo.InvariantCulture), "--iscsi", $"portal=127.0.0.1:{Port}" })
            {
                psi.ArgumentList.Add(a);
            }

            var p = new Process { StartInfo = psi };
            p.ErrorDataReceived += (_, e) => AppendLog(e.Data);
            p.OutputDataReceived += (_, e) => AppendLog(e.Data);
            p.Start();
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
            _process = p;
            lock (LiveGate)
            {
                Live.Add(this);
            }

            string? failure = WaitUntilReady(p);
            if (failure is null)
            {
                return;
            }

            lastError = failure;
            Stop();
        }

        throw new InvalidOperationException($"tgtd did not start after 8 attempts: {lastError}");
    }

    /// <summary>Null when tgtd answers tgtadm and listens on its portal; otherwise why this attempt failed.</summary>
    private string? WaitUntilReady(Process p)
    {
        var sw = Stopwatch.StartNew();
        bool managed = false;
        while (sw.Elapsed < StartTimeout)
        {
            if (p.HasExited)
            {
                return $"tgtd exited with code {p.ExitCode} (control port {ControlPort} probably in use): {Log.Trim()}";
            }

            if (!managed)
            {
                managed = RunTgtadm(ControlPort, "--mode", "sys", "--op", "show").ExitCode == 0;
            }

            // tgtd does not fail when its portal port is taken: check that this process listens.
            if (managed && TgtdPortalProbe.IsListening(p.Id, Port))
            {
                // Another tgtd holding our control port would also have answered: we must be alive still.
                Thread.Sleep(20);
                if (!p.HasExited)
                {
                    return null;
                }
            }

            if (managed && sw.Elapsed > TimeSpan.FromSeconds(3))
            {
                return $"tgtd (pid {p.Id}) does not listen on 127.0.0.1:{Port} (port taken by another process?)";
            }

            Thread.Sleep(20);
        }

        return $"tgtd did not become ready within {StartTimeout.TotalSeconds} s: {Log.Trim()}";
    }

    private void Stop()
    {
        Process? p = _process;
        _process = null;
        if (p is not null)
        {
            try
            {
                if (!p.HasExited)
                {
                    List<TgtdTarget> targets;
                    lock (_gate)
                    {
                        targets = _targets.ToList();
                    }

                    foreach (var t in targets)
                    {
                        RunTgtadm(ControlPort, "--lld", "iscsi", "--mode", "target", "--op", "delete", "--force",
                            "--tid", t.Tid.ToString(CultureInfo.InvariantCulture));
                    }

                    RunTgtadm(ControlPort, "--mode", "sys", "--op", "delete");
                    if (!p.WaitForExit(StopTimeout))
                    {
                        p.Kill(); // SIGKILL: last resort
                        p.WaitForExit(StopTimeout);
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            finally
            {
                p.Dispose();
            }
        }

        lock (_gate)
        {
            foreach (var t in _targets)
            {
                try
                {
                    File.Delete(t.BackingFile);
                }
                catch (IOException)
                {
                }
            }

            _targets.Clear();
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static (int ExitCode, string Output) RunTgtadm(int controlPort, params string[] args)
    {
        var psi = new ProcessStartInfo(TgtdAvailability.TgtadmPath!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-C");
        psi.ArgumentList.Add(controlPort.ToString(CultureInfo.InvariantCulture));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            p.Kill();
            return (-1, "tgtadm timed out");
        }

        return (p.ExitCode, output + err.GetAwaiter().GetResult());
    }

    private static void InstallExitHook()
    {
        lock (LiveGate)
        {
            if (_exitHookInstalled)
            {
                return;
            }

            _exitHookInstalled = true;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            List<TgtdFixture> live;
            lock (LiveGate)
            {
                live = Live.ToList();
            }

            foreach (var f in live)
            {
                f.Dispose();
            }
        };
    }
}

/// <summary>One target of a <see cref="TgtdFixture"/>: tid, IQN, its LUN 1 backing file and its device address.</summary>
public sealed record TgtdTarget(int Tid, string Iqn, string BackingFile, long LunSizeBytes, string Address);

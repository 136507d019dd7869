using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace HwFence.Qemu.Tests;

/// <summary>
/// One QEMU/TCG guest booted from hil/qemu's kernel + initramfs: the host's root read-only over 9p,
/// a command agent on virtio-console (a unix socket here), optionally one shared disk attached through
/// QEMU's own iSCSI initiator (route B: <c>-drive file=iscsi://…</c> + <c>scsi-block</c> on virtio-scsi,
/// so every CDB — reservations included — reaches the target). <see cref="DisposeAsync"/> always kills
/// QEMU and deletes the temp dir.
/// </summary>
public sealed class QemuGuest : IAsyncDisposable
{
    private readonly Process _qemu;
    private readonly string _dir;
    private readonly SemaphoreSlim _agentLock = new(1, 1);
    private Socket? _agent;
    private StreamReader? _reader;
    private NetworkStream? _stream;
    private int _nextId;

    private QemuGuest(string name, Process qemu, string dir)
    {
        Name = name;
        _qemu = qemu;
        _dir = dir;
    }

    public string Name { get; }

    /// <summary>QEMU has exited (the guest was crashed with <see cref="Crash"/> or died).</summary>
    public bool HasExited => _qemu.HasExited;

    /// <summary>The unix socket behind the guest's /dev/ttyS1 (QEMU is the server).</summary>
    public string CablePath => Path.Combine(_dir, "cable.sock");

    /// <summary>Wall-clock time from QEMU start to the agent's ready line (for the README's figures).</summary>
    public TimeSpan BootTime { get; private set; }

    /// <summary>The guest's kernel console (ttyS0), for failure messages.</summary>
    public string ConsoleLog => File.Exists(Path.Combine(_dir, "console.log")) ? File.ReadAllText(Path.Combine(_dir, "console.log")) : "";

    /// <summary>Boots a guest and waits for its agent. <paramref name="iscsiUrl"/>: iscsi://host:port/iqn/lun attached via route B, or null.</summary>
    /// <remarks>Every guest also gets a serial cable: its /dev/ttyS1 (a 16550 driven by the kernel's 8250 driver)
    /// is wired to the unix socket <see cref="CablePath"/>, which <see cref="SerialCableRelay"/> joins to another guest's.</remarks>
    /// <param name="extraArgs">More QEMU arguments, e.g. <see cref="TargetOnlyNetwork"/>.</param>
    /// <param name="kernelArgs">More kernel command-line words for guest-init.sh, e.g. <c>hwfence.ip=192.168.77.1</c> (eth1's address).</param>
    public static async Task<QemuGuest> BootAsync(string name, string initiatorName, string? iscsiUrl, TimeSpan timeout, IEnumerable<string>? extraArgs = null, string? kernelArgs = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"hwfence-qemu-{name}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        string agentPath = Path.Combine(dir, "agent.sock");
        var psi = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in new[]
        {
            "-machine", "q35", "-accel", "tcg", "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-nodefaults",
            "-kernel", QemuAvailability.Kernel, "-initrd", QemuAvailability.Initrd,
            "-append", $"console=ttyS0 quiet panic=-1 hwfence.name={name} hwfence.iqn={initiatorName} {kernelArgs}".TrimEnd(),
            "-serial", $"file:{Path.Combine(dir, "console.log")}",
            "-monitor", $"unix:{Path.Combine(dir, "monitor.sock")},server=on,wait=off",
            // multidevs=remap: the host root spans several devices (/proc, /tmp…); without it inode numbers collide and mounts break.
            "-fsdev", "local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap",
            "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot",
            "-device", "virtio-serial-pci",
            "-chardev", $"socket,id=agent,path={agentPath},server=on,wait=off",
            "-device", "virtconsole,chardev=agent",
            "-chardev", $"socket,id=cable,path={Path.Combine(dir, "cable.sock")},server=on,wait=off",
            "-serial", "chardev:cable",
        })
        {
            psi.ArgumentList.Add(a);
        }

        if (iscsiUrl is not null)
        {
            psi.ArgumentList.Add("-device");
            psi.ArgumentList.Add("virtio-scsi-pci,id=vs");
            psi.ArgumentList.Add("-drive");
            psi.ArgumentList.Add($"file={iscsiUrl},if=none,id=shared,format=raw,file.initiator-name={initiatorName}");
            psi.ArgumentList.Add("-device");
            psi.ArgumentList.Add("scsi-block,drive=shared,bus=vs.0");
        }

        foreach (string a in extraArgs ?? [])
        {
            psi.ArgumentList.Add(a);
        }

        var started = Stopwatch.StartNew();
        var qemu = Process.Start(psi) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        var guest = new QemuGuest(name, qemu, dir);
        var qemuOutput = new StringBuilder();
        qemu.ErrorDataReceived += (_, e) => { lock (qemuOutput) { qemuOutput.AppendLine(e.Data); } };
        qemu.OutputDataReceived += (_, e) => { lock (qemuOutput) { qemuOutput.AppendLine(e.Data); } };
        qemu.BeginErrorReadLine();
        qemu.BeginOutputReadLine();
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await guest.ConnectAgentAsync(agentPath, cts.Token);
            guest.BootTime = started.Elapsed;
            return guest;
        }
        catch (Exception e)
        {
            string detail;
            lock (qemuOutput)
            {
                detail = qemuOutput.ToString();
            }

            string console = guest.ConsoleLog;
            await guest.DisposeAsync();
            throw new InvalidOperationException($"guest {name} did not become ready within {timeout.TotalSeconds:0} s ({e.Message}); qemu: {detail.Trim()}; console tail: {console[Math.Max(0, console.Length - 2000)..]}", e);
        }
    }

    /// <summary>The address a guest on <see cref="TargetOnlyNetwork"/> reaches the host's target port at.</summary>
    public const string TargetPortal = "10.0.2.100:3260";

    /// <summary>
    /// A user-mode NIC (the guest's eth0, 10.0.2.15, set by guest-init.sh) that reaches nothing but one host
    /// TCP port, as <see cref="TargetPortal"/>: restrict=on cuts every other way out, guestfwd forwards that one.
    /// The forward runs socat per guest connection (<c>cmd:</c>): the <c>tcp:</c> form is one chardev connection,
    /// opened at boot and shared by every guest connection in turn, so the target would see a discovery
    /// session's TCP stream carry the next session's login.
    /// </summary>
    public static string[] TargetOnlyNetwork(int hostPort) =>
    [
        "-netdev", $"user,id=lan0,restrict=on,guestfwd=tcp:{TargetPortal}-cmd:socat - TCP:127.0.0.1:{hostPort}",
        "-device", "virtio-net-pci,netdev=lan0",
    ];

    private async Task ConnectAgentAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_qemu.HasExited)
            {
                throw new InvalidOperationException($"qemu exited with code {_qemu.ExitCode}");
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                _agent = socket;
                break;
            }
            catch (SocketException)
            {
                socket.Dispose();
                await Task.Delay(100, ct);
            }
        }

        _stream = new NetworkStream(_agent, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
        while (true)
        {
            string? line = await _reader.ReadLineAsync(ct) ?? throw new InvalidOperationException("agent channel closed before ready");
            if (line.StartsWith("@@READY", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>Runs a /bin/sh command line in the guest (as root, cwd /); returns its exit code and combined stdout+stderr.</summary>
    public async Task<GuestResult> RunAsync(string command, TimeSpan? timeout = null)
    {
        if (_reader is null || _stream is null)
        {
            throw new InvalidOperationException($"guest {Name}: agent not connected");
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _agentLock.WaitAsync(cts.Token);
        try
        {
            int id = ++_nextId;
            byte[] line = Encoding.ASCII.GetBytes($"{id} {Convert.ToBase64String(Encoding.UTF8.GetBytes(command))}\n");
            await _stream.WriteAsync(line, cts.Token);
            var output = new StringBuilder();
            bool inside = false;
            var watch = Stopwatch.StartNew();
            while (true)
            {
                string? l;
                try
                {
                    l = await _reader.ReadLineAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"guest {Name}: `{command}` did not finish within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s; output so far: {output}");
                }

                if (l is null)
                {
                    throw new InvalidOperationException($"guest {Name}: agent channel closed during `{command}`");
                }

                if (!inside)
                {
                    inside = l == $"@@BEGIN {id}";
                    continue;
                }

                if (l.StartsWith($"@@END {id} ", StringComparison.Ordinal))
                {
                    return new GuestResult(command, int.Parse(l.AsSpan($"@@END {id} ".Length)), output.ToString().TrimEnd(), watch.Elapsed);
                }

                output.AppendLine(l);
            }
        }
        finally
        {
            _agentLock.Release();
        }
    }

    /// <summary>Freezes the whole guest (QEMU monitor <c>stop</c>): a hung primary — its clocks, I/O and heartbeats stop.</summary>
    public Task<string> FreezeAsync() => MonitorAsync("stop");

    /// <summary>Resumes a frozen guest (QEMU monitor <c>cont</c>): it carries on as if no time had passed.</summary>
    public Task<string> ResumeAsync() => MonitorAsync("cont");

    /// <summary>Runs one human-monitor (HMP) command on the guest's monitor socket and returns its answer.</summary>
    public async Task<string> MonitorAsync(string command)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(_dir, "monitor.sock")), cts.Token);
        await ReadUntilPromptAsync(socket, cts.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), SocketFlags.None, cts.Token);
        return await ReadUntilPromptAsync(socket, cts.Token);
    }

    private static async Task<string> ReadUntilPromptAsync(Socket socket, CancellationToken ct)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        while (!text.ToString().EndsWith("(qemu) ", StringComparison.Ordinal))
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
            {
                throw new InvalidOperationException($"QEMU monitor closed: {text}");
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    /// <summary>Kills QEMU: an instant node crash as the shared disk sees it (the iSCSI connection drops).</summary>
    public void Crash()
    {
        if (!_qemu.HasExited)
        {
            _qemu.Kill(entireProcessTree: true);
            _qemu.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Crash();
        _reader?.Dispose();
        _stream?.Dispose();
        _agent?.Dispose();
        _qemu.Dispose();
        _agentLock.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        await Task.CompletedTask;
    }
}

/// <summary>What one guest command returned.</summary>
public sealed record GuestResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"`{Command}` → exit {ExitCode} in {Elapsed.TotalMilliseconds:0} ms:\n{Output}";
}

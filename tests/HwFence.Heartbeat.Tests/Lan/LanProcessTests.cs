using System.Diagnostics;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Tests.Support;
using HwFence.Testing;

namespace HwFence.Heartbeat.Tests.Lan;

/// <summary>LAN heartbeats between this test process and a peer in a separate OS process (this assembly run as <c>lan-peer</c>), over loopback UDP.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LanProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-lanproc-").FullName;
    private readonly List<Process> _processes = new();

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }

            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private (Process Process, ulong Incarnation) StartPeer(string keyFile, int port, int ourPort)
    {
        string assembly = typeof(PeerProcessProgram).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { assembly, "lan-peer", "2", port.ToString(), "1", ourPort.ToString(), keyFile, Path.Combine(_dir, "state2") })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        _processes.Add(process);
        var line = process.StandardOutput.ReadLineAsync();
        Assert.True(line.Wait(RecordingSink.WaitLimit), "the peer process did not start: " + (process.HasExited ? process.StandardError.ReadToEnd() : "no output"));
        Assert.StartsWith("ready ", line.Result);
        return (process, ulong.Parse(line.Result!["ready ".Length..]));
    }

    [Fact]
    public void Heartbeats_and_messages_cross_process_boundaries_and_a_restarted_peer_is_heard_under_its_new_incarnation()
    {
        string keyFile = Path.Combine(_dir, "authkey");
        ClusterKey.Generate(keyFile);
        int ours = UdpPorts.Allocate(), theirs = UdpPorts.Allocate();
        var sink = new RecordingSink();
        var time = new FakeTimeProvider();
        using var channel = new LanChannel(new HeartbeatIdentity(TestIdentities.ClusterId, 1, 1, ClusterKey.Load(keyFile)), new LanChannelOptions
        {
            LocalEndPoint = UdpPorts.Loopback(ours),
            Peers = [new LanPeer(2, UdpPorts.Loopback(theirs))],
        }, new ChannelCallbacks(sink, sink), time);
        channel.Start();

        var (first, inc1) = StartPeer(keyFile, theirs, ours);
        sink.WaitUntil(s => s.Heartbeats.Count(h => h.Incarnation == inc1) >= 3, "3 heartbeats from the peer process");
        Assert.True(channel.SendMessage(2, "ping"u8));
        sink.WaitUntil(s => s.Messages.Count == 1, "the echo");
        Assert.Equal("echo:ping"u8.ToArray(), sink.Snapshot(s => s.Messages[0].Payload));

        first.Kill(); // SIGKILL: a crash
        first.WaitForExit();
        var (second, inc2) = StartPeer(keyFile, theirs, ours);
        Assert.True(inc2 > inc1, $"incarnation must increase across restarts ({inc1} → {inc2})");
        sink.WaitUntil(s => s.Heartbeats.Count(h => h.Incarnation == inc2) >= 2, "heartbeats from the restarted peer");
        Assert.Equal(0, channel.Counters.DroppedTotal);
        second.StandardInput.Close(); // orderly exit
        Assert.True(second.WaitForExit(10_000));
    }
}

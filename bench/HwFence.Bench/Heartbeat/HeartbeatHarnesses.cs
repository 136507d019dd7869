using System.Diagnostics;
using System.Globalization;
using System.Net;
using HwFence.Hal.Serial;
using HwFence.Heartbeat;
using HwFence.Heartbeat.Frames;
using HwFence.Heartbeat.Lan;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Serial;

namespace HwFence.Bench.Heartbeat;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness heartbeat cpu [SECONDS]</c>:
/// CPU time of one node sending 10 Hz heartbeats on 3 LAN paths to 32 peers each (real UDP on
/// loopback, real timers), measured as process CPU time over the run (target: under 1 % of one core).
/// <c>… harness heartbeat serial-rtt [COUNT] [BAUD]</c>: round trip of a heartbeat over a pty pair
/// joined by a null-modem relay (termios, poll(2)), node A → node B → echo → node A.
/// </summary>
internal static class HeartbeatHarnesses
{
    public static int Run(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "";
        return which switch
        {
            "cpu" => Cpu(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20, args.Contains("--listen")),
            "serial-rtt" => SerialRoundTrip(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("harness heartbeat cpu [SECONDS] [--listen] | serial-rtt [COUNT] [BAUD(0 = unthrottled)]");
        return 2;
    }

    private static ClusterKey Key() => ClusterKey.FromBytes(Enumerable.Range(0, 32).Select(i => (byte)(i + 1)).ToArray());

    /// <param name="listen">Bind a (never-read) socket at every peer address, so loopback does not answer each datagram with ICMP port unreachable.</param>
    private static int Cpu(int seconds, bool listen)
    {
        const int Paths = 3, Peers = 32;
        var process = Process.GetCurrentProcess();

        // Baseline: the same process with no channel (runtime threads, tiering, GC), so the figure
        // below can be read net of what any idle .NET process costs on this machine.
        Thread.Sleep(500);
        process.Refresh();
        TimeSpan idle0 = process.TotalProcessorTime;
        var idleWall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(Math.Max(5, seconds / 2)));
        process.Refresh();
        double idlePercent = 100 * (process.TotalProcessorTime - idle0).TotalSeconds / idleWall.Elapsed.TotalSeconds;

        var identity = new HeartbeatIdentity(7, 1, 1, Key());
        var sink = new CountingSink();
        var state = new FixedState(64);
        var channels = new List<LanChannel>();
        var listeners = new List<System.Net.Sockets.Socket>();
        for (int path = 0; path < Paths; path++)
        {
            // Each ring: this node on 127.0.0.(path+1), 32 peers on 127.0.1.x (nothing listens: we measure the sender).
            var peers = Enumerable.Range(2, Peers).Select(p => new LanPeer(p, new IPEndPoint(IPAddress.Parse($"127.0.{path + 1}.{p}"), 5410))).ToArray();
            if (listen)
            {
                foreach (var peer in peers)
                {
                    var l = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
                    l.Bind(peer.EndPoint);
                    listeners.Add(l);
                }
            }

            var channel = new LanChannel(identity, new LanChannelOptions
            {
                LocalEndPoint = new IPEndPoint(IPAddress.Parse($"127.0.0.{path + 1}"), 0),
                Peers = peers,
                Interval = TimeSpan.FromMilliseconds(100),
                PathName = $"ring{path}",
            }, new ChannelCallbacks(sink, StateProvider: state), TimeProvider.System);
            channel.Start();
            channels.Add(channel);
        }

        Thread.Sleep(2000); // warm-up: JIT and tier-1 recompilation of the send path
        process.Refresh();
        TimeSpan cpu0 = process.TotalProcessorTime, user0 = process.UserProcessorTime;
        long sent0 = channels.Sum(c => c.Counters.Sent);
        var wall = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpu0, user = process.UserProcessorTime - user0;
        double elapsed = wall.Elapsed.TotalSeconds;
        long sent = channels.Sum(c => c.Counters.Sent) - sent0;
        long errors = channels.Sum(c => c.Counters.SendErrors);
        foreach (var c in channels)
        {
            c.Dispose();
        }

        listeners.ForEach(l => l.Dispose());

        Console.WriteLine($"heartbeat cpu{(listen ? " (peer sockets bound)" : "")}: {Paths} paths x {Peers} peers at 10 Hz for {elapsed:0.0} s: {sent} datagrams ({sent / elapsed:0} /s), {errors} send errors");
        Console.WriteLine($"  process CPU {cpu.TotalMilliseconds:0} ms = {100 * cpu.TotalSeconds / elapsed:0.000} % of one core " +
                          $"({1e6 * cpu.TotalSeconds / Math.Max(1, sent):0.0} µs CPU per datagram, whole process incl. runtime)");
        Console.WriteLine($"  of which user mode {user.TotalMilliseconds:0} ms (our code, runtime), kernel {(cpu - user).TotalMilliseconds:0} ms (sendmmsg — one per ring per tick — and the loopback delivery)");
        Console.WriteLine($"  idle baseline of this process: {idlePercent:0.000} % → net {100 * cpu.TotalSeconds / elapsed - idlePercent:0.000} % of one core");
        Console.WriteLine("  (loopback: the kernel's receive path and the ICMP port-unreachable replies run in the sender's context, so this overstates a real NIC)");
        return 0;
    }

    private static int SerialRoundTrip(int count, int baud)
    {
        using var cable = NullModemCable.Create();
        if (baud > 0)
        {
            cable.BaudRate = baud;
        }

        string lockDir = Directory.CreateTempSubdirectory("hwfence-bench-lock-").FullName;
        var factory = new TermiosSerialPortFactory(lockDir);
        var settings = new SerialPortSettings(BaudRate: baud > 0 ? baud : 115200);
        using var a = factory.Open(cable.PathA, settings);
        using var b = factory.Open(cable.PathB, settings);
        var key = Key();
        var nodeA = new HeartbeatIdentity(7, 1, 1, key);
        var nodeB = new HeartbeatIdentity(7, 2, 1, key);
        var time = TimeProvider.System;
        var senderA = new FrameSender(nodeA, new FixedState(64), time);
        var senderB = new FrameSender(nodeB, new FixedState(64), time);
        var sinkA = new CountingSink();
        var sinkB = new CountingSink();
        var receiverA = new FrameReceiver(nodeA, PathId.Serial(cable.PathA), new ChannelCallbacks(sinkA), new ChannelCounters(), time);
        var receiverB = new FrameReceiver(nodeB, PathId.Serial(cable.PathB), new ChannelCallbacks(sinkB), new ChannelCounters(), time);
        var deframerA = new SerialDeframer(f => receiverA.Receive(f));
        var deframerB = new SerialDeframer(f => receiverB.Receive(f));
        byte[] frame = new byte[FrameLayout.MaxFrameLength], wire = new byte[SerialFraming.MaxWireLength], read = new byte[4096];
        var samples = new double[count];
        TimeSpan timeout = TimeSpan.FromSeconds(5);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            a.Write(wire.AsSpan(0, SerialFraming.Encode(frame.AsSpan(0, senderA.EncodeHeartbeat(frame)), wire)), timeout);
            Pump(b, deframerB, read, sinkB, i + 1, timeout);
            b.Write(wire.AsSpan(0, SerialFraming.Encode(frame.AsSpan(0, senderB.EncodeHeartbeat(frame)), wire)), timeout);
            Pump(a, deframerA, read, sinkA, i + 1, timeout);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Directory.Delete(lockDir, recursive: true);
        Array.Sort(samples);
        int wireBytes = SerialFraming.WireLength(FrameLayout.Overhead + 64);
        Console.WriteLine($"serial round trip over a pty null-modem ({(baud > 0 ? baud + " baud" : "unthrottled")}), {count} round trips, {wireBytes}-byte frames (64-byte state):");
        Console.WriteLine($"  median {samples[count / 2]:0} µs, p99 {samples[(int)(count * 0.99)]:0} µs, max {samples[^1]:0} µs");
        return 0;
    }

    private static void Pump(ISerialPort port, SerialDeframer deframer, byte[] buffer, CountingSink sink, long want, TimeSpan timeout)
    {
        while (sink.Heartbeats < want)
        {
            int n = port.Read(buffer, timeout);
            if (n == 0)
            {
                throw new TimeoutException($"no frame on {port.Device} within {timeout}");
            }

            deframer.Feed(buffer.AsSpan(0, n));
        }
    }

    private sealed class FixedState(int length) : IHeartbeatStateProvider
    {
        public int WriteState(Span<byte> destination)
        {
            destination[..length].Fill(0x42);
            return length;
        }
    }

    private sealed class CountingSink : IHeartbeatSink
    {
        private long _heartbeats;

        public long Heartbeats => Interlocked.Read(ref _heartbeats);

        public void OnHeartbeat(in HeartbeatReceipt receipt) => Interlocked.Increment(ref _heartbeats);

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using HwFence.Cluster.Configuration;
using HwFence.Detection;
using HwFence.Hal.Serial;
using HwFence.Heartbeat;
using HwFence.Heartbeat.Security;
using HwFence.Heartbeat.Serial;

namespace HwFence.Cli.Commands.Heartbeat;

/// <summary>
/// <c>hwfence heartbeat serial --device TTY --key FILE --cluster-id N --node-id N --peer-id N</c>: runs one serial
/// heartbeat path — the node daemon's <see cref="SerialChannel"/> and <see cref="FailureDetector"/>, nothing else —
/// so an operator can check a null-modem cable between two nodes before the cluster uses it: each end sends
/// authenticated frames and reports what it hears, the path's Up/Late/Down changes and, at the end, the counters.
/// </summary>
internal static class HeartbeatCommand
{
    /// <summary>Exit codes: 0 the peer's path is Up at the end; 1 it is not (or the key/device is unusable); 2 usage.</summary>
    public const int PathUp = 0;
    public const int PathNotUp = 1;
    public const int Usage = 2;

    public static Command Create() => Create(Console.Out, Console.Error);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var heartbeat = new Command("heartbeat", "Run one heartbeat path on its own, to check it before the cluster uses it.");
        var serial = new Command("serial",
            "Send and receive authenticated heartbeats on one serial line (the node daemon's serial channel and failure detector). " +
            "Run it at both ends of the cable with the same key and cluster id and swapped --node-id/--peer-id. Prints every frame " +
            "heard, every Up/Late/Down change of the peer's path and, at the end (--duration or Ctrl+C), the counters. " +
            "Exit 0 when the peer's path is Up at the end, 1 when it is not, 2 on a usage error.");
        var device = new Option<string>("--device") { Description = "The tty, e.g. /dev/ttyS1 or /dev/ttyUSB0", Required = true };
        var key = new Option<string>("--key") { Description = "Cluster key file (mode 0600; `hwfence key generate`)", Required = true };
        var clusterId = new Option<long>("--cluster-id") { Description = "Cluster id (as in cluster.yaml); frames of other clusters are dropped", Required = true };
        var nodeId = new Option<int>("--node-id") { Description = "This end's node id, 1–65535", Required = true };
        var peerId = new Option<int>("--peer-id") { Description = "The node id at the other end of the cable", Required = true };
        var baud = new Option<int>("--baud") { Description = "Line rate, 9600–921600 (8N1, no flow control)", DefaultValueFactory = _ => 115200 };
        // Defaults: cluster.yaml's timings (keepalive, warntime, deadtime), which the node daemon uses on every path.
        var timings = new TimingsOptions();
        var interval = new Option<int>("--interval") { Description = $"Send interval in ms (cluster.yaml keepalive; default {timings.Keepalive.TotalMilliseconds:0})", DefaultValueFactory = _ => (int)timings.Keepalive.TotalMilliseconds };
        var warntime = new Option<int>("--warntime") { Description = $"Silence in ms before the path is Late (cluster.yaml warntime; default {timings.Warntime.TotalMilliseconds:0})", DefaultValueFactory = _ => (int)timings.Warntime.TotalMilliseconds };
        var deadtime = new Option<int>("--deadtime") { Description = $"Silence in ms before the path is Down, also before a never-heard peer is Down after twice it (cluster.yaml deadtime; default {timings.Deadtime.TotalMilliseconds:0})", DefaultValueFactory = _ => (int)timings.Deadtime.TotalMilliseconds };
        var duration = new Option<double>("--duration") { Description = "Stop after this many seconds (default 0: until Ctrl+C or SIGTERM)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line (frame, path, counters) instead of text" };
        foreach (Option o in new Option[] { device, key, clusterId, nodeId, peerId, baud, interval, warntime, deadtime, duration, json })
        {
            serial.Options.Add(o);
        }

        serial.SetAction(parse =>
        {
            var run = new SerialHeartbeatRun(
                parse.GetValue(device)!, parse.GetValue(key)!, parse.GetValue(clusterId), parse.GetValue(nodeId), parse.GetValue(peerId),
                parse.GetValue(baud), new PathTimings(
                    TimeSpan.FromMilliseconds(parse.GetValue(interval)),
                    TimeSpan.FromMilliseconds(parse.GetValue(warntime)),
                    TimeSpan.FromMilliseconds(parse.GetValue(deadtime)),
                    TimeSpan.FromMilliseconds(2 * parse.GetValue(deadtime))),
                parse.GetValue(duration), parse.GetValue(json), output, error);
            return run.Run();
        });
        heartbeat.Subcommands.Add(serial);
        return heartbeat;
    }

    /// <summary>One run of the command: validate, open, report until told to stop, print the counters.</summary>
    private sealed class SerialHeartbeatRun(
        string device, string keyFile, long clusterId, int nodeId, int peerId, int baud, PathTimings timings, double seconds, bool json,
        TextWriter output, TextWriter error) : IHeartbeatSink, IObserver<DetectorEvent>
    {
        private readonly object _gate = new();
        private FailureDetector? _detector;
        private PathState _state = PathState.Unknown;

        public int Run()
        {
            string? usage = nodeId is < 1 or > 65535 ? $"--node-id {nodeId} must be 1–65535"
                : peerId is < 1 or > 65535 ? $"--peer-id {peerId} must be 1–65535"
                : peerId == nodeId ? "--peer-id must differ from --node-id (one cable joins two nodes)"
                : clusterId < 0 ? $"--cluster-id {clusterId} must not be negative"
                : seconds < 0 ? "--duration must not be negative"
                : null;
            var channelOptions = new SerialChannelOptions
            {
                Device = device,
                Settings = new SerialPortSettings(BaudRate: baud),
                PeerNodeId = peerId,
                Interval = timings.Interval,
            };
            var detectorOptions = new DetectorOptions { Serial = timings };
            usage ??= First(channelOptions.Validate()) ?? First(DetectorOptionsValidator.Validate(detectorOptions));
            if (usage is not null)
            {
                error.WriteLine($"hwfence heartbeat serial: {usage}");
                return Usage;
            }

            ClusterKey clusterKey;
            try
            {
                clusterKey = ClusterKey.Load(keyFile);
            }
            catch (ClusterKeyException e)
            {
                error.WriteLine($"hwfence heartbeat serial: {e.Message}");
                return PathNotUp;
            }

            // A boot generation that grows across runs without a state directory: the wall clock in ms.
            ulong incarnation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var identity = new HeartbeatIdentity((ulong)clusterId, nodeId, incarnation, clusterKey);
            var path = PathId.Serial(device);
            using var detector = new FailureDetector(detectorOptions, TimeProvider.System, [new PeerDefinition(peerId, $"node {peerId}", [path])]);
            _detector = detector;
            using var subscription = detector.Subscribe(this);
            using var channel = new SerialChannel(identity, channelOptions, new ChannelCallbacks(this), new TermiosSerialPortFactory(), TimeProvider.System);
            using var stop = new ManualResetEventSlim();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });

            Emit($"{device}: node {nodeId} → node {peerId}, {baud} baud, every {timings.Interval.TotalMilliseconds:0} ms (Late after {timings.Warntime.TotalMilliseconds:0} ms, Down after {timings.Deadtime.TotalMilliseconds:0} ms)",
                new { @event = "start", device, node = nodeId, peer = peerId, baud, intervalMs = timings.Interval.TotalMilliseconds, incarnation });
            detector.Start();
            channel.Start();
            if (seconds > 0)
            {
                stop.Wait(TimeSpan.FromSeconds(seconds));
            }
            else
            {
                stop.Wait();
            }

            channel.Dispose(); // no frame arrives after the counters are read
            subscription.Dispose(); // and no path change is reported after the end line (its state decides the exit code)
            PathState final;
            lock (_gate)
            {
                final = _state;
            }

            var counters = channel.Counters.Snapshot();
            Emit($"{device}: path to node {peerId} {final} at the end; " + string.Join(", ", counters.Select(c => $"{c.Key} {c.Value}")),
                new { @event = "end", device, peer = peerId, path = final.ToString(), counters = counters.ToDictionary(c => c.Key, c => c.Value) });
            return final == PathState.Up ? PathUp : PathNotUp;
        }

        private static string? First(IEnumerable<string> errors) => errors.FirstOrDefault();

        public void OnHeartbeat(in HeartbeatReceipt receipt)
        {
            _detector!.OnHeartbeat(receipt);
            Emit($"heard node {receipt.PeerNodeId} on {receipt.Path}: incarnation {receipt.Incarnation}, sequence {receipt.Sequence}",
                new { @event = "frame", peer = receipt.PeerNodeId, path = receipt.Path.ToString(), incarnation = receipt.Incarnation, sequence = receipt.Sequence });
        }

        public void OnLocalPathState(PathId path, bool usable, string? reason)
        {
            _detector!.OnLocalPathState(path, usable, reason);
            Emit($"{path}: {(usable ? "usable" : "unusable")} here{(reason is null ? "" : $" ({reason})")}",
                new { @event = "local", path = path.ToString(), usable, reason });
        }

        public void OnNext(DetectorEvent value)
        {
            if (value.Kind == DetectorEventKind.PathStateChanged && value.NewPathState is { } state)
            {
                lock (_gate)
                {
                    _state = state;
                }

                Emit($"path {value.Path}: {value.OldPathState} → {state} ({value.Message})",
                    new { @event = "path", path = value.Path?.ToString(), from = value.OldPathState?.ToString(), to = state.ToString(), message = value.Message });
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }

        private void Emit(string text, object value)
        {
            string line = json ? JsonSerializer.Serialize(value) : $"{DateTimeOffset.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {text}";
            lock (_gate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
    }
}

using System.Diagnostics;
using HwFence.Detection;
using HwFence.Heartbeat;

namespace HwFence.Rig;

/// <summary>
/// A console harness for bench/ (not a test): the detector's <see cref="IHeartbeatSink.OnHeartbeat"/>
/// cost, then healthy peers heard on real timers for a while with the .NET GC under pressure —
/// run it with both cores saturated (<c>stress-ng --cpu 2</c>) and it counts false Dead verdicts
/// (must be 0) and the local stalls the lateness guard absorbed.
/// </summary>
public static class DetectorLoadHarness
{
    public static int Run(TextWriter output, TimeSpan duration)
    {
        PathId lan = PathId.Lan("10.0.0.2"), serial = PathId.Serial("/dev/ttyS1"), disk = PathId.Disk("emu:shared");
        PeerDefinition[] peers = [new(2, "node2", [lan, serial, disk]), new(3, "node3", [lan, serial, disk])];

        using (var warm = new FailureDetector(new DetectorOptions(), TimeProvider.System, peers))
        {
            var receipt = new HeartbeatReceipt(3, disk, 1, 1, TimeProvider.System.GetTimestamp());
            for (int i = 0; i < 1_000_000; i++)
            {
                warm.OnHeartbeat(receipt);
            }

            const int N = 10_000_000;
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < N; i++)
            {
                warm.OnHeartbeat(receipt with { Sequence = (ulong)i });
            }

            watch.Stop();
            output.WriteLine($"OnHeartbeat: {watch.Elapsed.TotalNanoseconds / N:0.0} ns/op, {GC.GetAllocatedBytesForCurrentThread() - allocated} bytes allocated over {N} calls");
        }

        using var detector = new FailureDetector(new DetectorOptions(), TimeProvider.System, peers);
        int dead = 0, stalls = 0, late = 0;
        using IDisposable subscription = detector.Subscribe(new Counter(e =>
        {
            if (e.Kind == DetectorEventKind.VerdictChanged && e.NewVerdict == Verdict.Dead)
            {
                Interlocked.Increment(ref dead);
                output.WriteLine($"FALSE DEAD: {e}");
            }

            if (e.Kind == DetectorEventKind.LocalStallDetected)
            {
                Interlocked.Increment(ref stalls);
            }

            if (e.Kind == DetectorEventKind.PathStateChanged && e.NewPathState == PathState.Late)
            {
                Interlocked.Increment(ref late);
            }
        }));
        detector.Start();
        using var stop = new CancellationTokenSource(duration);
        var threads = new List<Thread>();
        foreach (int peer in new[] { 2, 3 })
        {
            foreach ((PathId path, int ms) in new[] { (lan, 100), (serial, 100), (disk, 200) })
            {
                var sender = new Thread(() =>
                {
                    ulong seq = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        detector.OnHeartbeat(new HeartbeatReceipt(peer, path, 1, ++seq, TimeProvider.System.GetTimestamp()));
                        Thread.Sleep(ms);
                    }
                }) { IsBackground = true, Name = $"peer {peer} {path}" };
                sender.Start();
                threads.Add(sender);
            }
        }

        var pressure = new Thread(() =>
        {
            var keep = new List<byte[]>();
            var random = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                keep.Add(new byte[random.Next(100, 200_000)]);
                if (keep.Count > 2000)
                {
                    keep.RemoveRange(0, 1000);
                }
            }
        }) { IsBackground = true, Name = "GC pressure" };
        pressure.Start();
        foreach (Thread t in threads)
        {
            t.Join();
        }

        pressure.Join();
        output.WriteLine(
            $"{duration.TotalSeconds:0} s, 2 peers x 3 paths, GC gen0/1/2 = {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}: " +
            $"false Dead {dead}, path Late {late}, local stalls absorbed {stalls}");
        return dead == 0 ? 0 : 1;
    }

    private sealed class Counter(Action<DetectorEvent> onNext) : IObserver<DetectorEvent>
    {
        public void OnNext(DetectorEvent value) => onNext(value);

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}

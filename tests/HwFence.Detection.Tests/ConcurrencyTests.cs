using HwFence.Heartbeat;
using HwFence.Testing;
using static HwFence.Detection.Tests.Timeline;

namespace HwFence.Detection.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public void OnHeartbeat_allocates_nothing_in_steady_state()
    {
        var clock = new FakeTimeProvider();
        using var detector = new FailureDetector(new DetectorOptions(), clock, [DefaultPeer(2), DefaultPeer(3)]);
        detector.Start();
        var receipt = new HeartbeatReceipt(3, Disk, 1, 1, clock.GetTimestamp());
        detector.OnHeartbeat(receipt); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            detector.OnHeartbeat(receipt with { Sequence = (ulong)i, ReceivedTimestamp = receipt.ReceivedTimestamp + i });
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Steady_state_evaluation_tick_allocates_nothing()
    {
        using var t = new Timeline();
        t.Beat(2, Lan, Serial, Disk).RunUntil(1000);
        var receipt = new HeartbeatReceipt(2, Lan, 1, 1, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            long now = t.Clock.GetTimestamp();
            t.Detector.OnHeartbeat(receipt with { Path = Lan, ReceivedTimestamp = now });
            t.Detector.OnHeartbeat(receipt with { Path = Serial, ReceivedTimestamp = now });
            t.Detector.OnHeartbeat(receipt with { Path = Disk, ReceivedTimestamp = now });
            t.Clock.Advance(TimeSpan.FromMilliseconds(20)); // one tick
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Concurrent_channel_threads_and_ticks_keep_state_consistent()
    {
        using var t = new Timeline(null, DefaultPeer(2), DefaultPeer(3));
        using var stop = new CancellationTokenSource();
        PathId[] paths = [Lan, Serial, Disk];
        var lastSequence = new long[6];
        Task[] channels = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            int peer = 2 + (i % 2);
            PathId path = paths[i % 3];
            ulong seq = 0;
            while (!stop.IsCancellationRequested)
            {
                t.Detector.OnHeartbeat(new HeartbeatReceipt(peer, path, 1, ++seq, t.Clock.GetTimestamp()));
                Volatile.Write(ref lastSequence[i], (long)seq);
            }
        })).ToArray();

        // Wait (without asserting on wall-clock time) until every channel thread is running.
        while (lastSequence.Any(s => Volatile.Read(ref s) == 0))
        {
            await Task.Yield();
        }

        for (int i = 0; i < 200; i++)
        {
            t.Clock.Advance(TimeSpan.FromMilliseconds(20));
            _ = t.Detector.Snapshot();
        }

        stop.Cancel();
        await Task.WhenAll(channels);
        DetectorSnapshot snapshot = t.Detector.Snapshot();
        Assert.Equal(0, t.Detector.IgnoredHeartbeats);
        for (int i = 0; i < 6; i++)
        {
            PathSnapshot path = snapshot.Peers.Single(p => p.NodeId == 2 + (i % 2)).Paths.Single(p => p.Path == paths[i % 3]);
            Assert.Equal((ulong)lastSequence[i], path.LastSequence);
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Bench.Iscsi;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness iscsi [seconds] [queue-depth] [--qd1]</c>
/// (<c>--qd1</c>: only the one-in-flight loop with default options, for profiling)
/// <para>
/// Starts a private tgtd on loopback (<see cref="TgtdFixture"/>) and measures, through HwFence's
/// initiator: TEST UNIT READY round trips per second with p50/p99 latency and heap bytes allocated per
/// command and process CPU time per command (all threads of this process; tgtd runs in its own) with
/// one command in flight, then <c>queue-depth</c> in flight, and the fencing latency — from
/// node B's PERSISTENT RESERVE OUT PREEMPT of node A's key until A's first WRITE answered with
/// RESERVATION CONFLICT. Compare with libiscsi's C initiator against the same kind of tgtd:
/// <c>bench/native/README.md</c>.
/// </para>
/// </summary>
internal static class IscsiTurHarness
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        int depth = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        if (TgtdAvailability.SkipReason is { } reason)
        {
            Console.Error.WriteLine("iscsi harness: " + reason);
            return 2;
        }

        using var tgtd = new TgtdFixture();
        if (args.Contains("--qd1"))
        {
            // Only the one-in-flight loop, default options (for perf stat / strace -c / callgrind).
            RunAsync(tgtd, TimeSpan.FromSeconds(seconds), 0, inline: false).GetAwaiter().GetResult();
            return 0;
        }

        RunAsync(tgtd, TimeSpan.FromSeconds(seconds), depth, inline: false).GetAwaiter().GetResult();
        RunAsync(tgtd, TimeSpan.FromSeconds(seconds), depth, inline: true).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(TgtdFixture tgtd, TimeSpan duration, int depth, bool inline)
    {
        var options = new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.hwfence.bench:tur", InlineCompletions = inline };
        Console.WriteLine($"--- InlineCompletions = {inline}");
        await using var t = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, tgtd.Iqn, 1, options);
        Console.WriteLine($"target {t.Address} (tgtd, {t.Parameters})");
        byte[] cdb = new byte[6];
        byte[] sense = new byte[96];
        var timeout = TimeSpan.FromSeconds(10);
        for (int i = 0; i < 4; i++)
        {
            await t.ExecuteAsync(cdb, DataDirection.None, default, sense, timeout); // UNIT ATTENTION of the new nexus
        }

        // Warm-up: JIT, tiered compilation, socket buffers, pooled async boxes.
        await TurLoopAsync(t, cdb, sense, TimeSpan.FromSeconds(2), null);

        long[] latencies = new long[4_000_000];
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        var (count, elapsed) = await TurLoopAsync(t, cdb, sense, duration, latencies);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        int gen0 = GC.CollectionCount(0) - gen0Before;
        double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / count;
        Array.Sort(latencies, 0, count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TUR, 1 in flight : {count / elapsed.TotalSeconds,10:N0} /s   p50 {Us(latencies[count / 2]),7:N1} us   p99 {Us(latencies[(int)(count * 0.99)]),7:N1} us   p99.9 {Us(latencies[(int)(count * 0.999)]),7:N1} us   CPU {cpuUs,5:N2} us/command   {allocated / (double)count:N2} B/command ({allocated:N0} B, {gen0} gen0 GCs, {count:N0} commands)"));

        if (depth == 0)
        {
            return;
        }

        allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (qCount, qElapsed) = await ParallelTurAsync(t, depth, duration);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TUR, {depth} in flight : {qCount / qElapsed.TotalSeconds,10:N0} /s   {allocated / (double)qCount:N2} B/command"));

        await PreemptLatencyAsync(tgtd, inline);
    }

    private static async Task<(int Count, TimeSpan Elapsed)> TurLoopAsync(IscsiTransport t, byte[] cdb, byte[] sense, TimeSpan duration, long[]? latencies)
    {
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        int count = 0;
        var timeout = TimeSpan.FromSeconds(10);
        long now = start;
        while (now < end && (latencies is null || count < latencies.Length))
        {
            var r = await t.ExecuteAsync(cdb, DataDirection.None, default, sense, timeout);
            if (r.Status != ScsiStatus.Good)
            {
                throw new InvalidOperationException($"TEST UNIT READY returned {r.Status}");
            }

            long after = Stopwatch.GetTimestamp();
            if (latencies is not null)
            {
                latencies[count] = after - now;
            }

            now = after;
            count++;
        }

        return (count, Stopwatch.GetElapsedTime(start, now));
    }

    private static async Task<(int Count, TimeSpan Elapsed)> ParallelTurAsync(IscsiTransport t, int depth, TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        var workers = new Task<(int, TimeSpan)>[depth];
        for (int i = 0; i < depth; i++)
        {
            workers[i] = Task.Run(() => TurLoopAsync(t, new byte[6], new byte[96], duration, null));
        }

        var results = await Task.WhenAll(workers);
        return (results.Sum(r => r.Item1), Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Node B preempts node A (PR type Write Exclusive – Registrants Only); time until A's WRITE sees RESERVATION CONFLICT.</summary>
    private static async Task PreemptLatencyAsync(TgtdFixture tgtd, bool inline)
    {
        var target = tgtd.CreateTarget();
        await using var a = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1,
            new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.hwfence.bench:node-a", InlineCompletions = inline });
        await using var b = await IscsiTransport.ConnectAsync("127.0.0.1", tgtd.Port, target.Iqn, 1,
            new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.hwfence.bench:node-b", InlineCompletions = inline });
        const ulong keyA = 0xA, keyB = 0xB;
        byte[] block = new byte[512];
        byte[] sense = new byte[96];
        var timeout = TimeSpan.FromSeconds(10);
        const int rounds = 200;
        var samples = new List<double>(rounds);
        var preemptOnly = new List<double>(rounds);
        for (int round = 0; round < rounds + 10; round++)
        {
            // Reset: B clears everything (if registered), both register, A reserves WE-RO.
            await PrOut(b, 0x06, 0, 0, keyB);           // REGISTER AND IGNORE EXISTING KEY
            await PrOut(b, 0x03, 0, keyB, 0);           // CLEAR
            await Drain(a);
            await Drain(b);
            await PrOut(a, 0x06, 0, 0, keyA);
            await PrOut(b, 0x06, 0, 0, keyB);
            await PrOut(a, 0x01, 5, keyA, 0);           // RESERVE, Write Exclusive – Registrants Only
            await Drain(a);

            long t0 = Stopwatch.GetTimestamp();
            await PrOut(b, 0x04, 5, keyB, keyA);        // PREEMPT A's key
            long t1 = Stopwatch.GetTimestamp();
            while (true)
            {
                var r = await a.ExecuteAsync(Write10(), DataDirection.ToDevice, block, sense, timeout);
                if (r.Status == ScsiStatus.ReservationConflict)
                {
                    break;
                }
            }

            long t2 = Stopwatch.GetTimestamp();
            if (round >= 10)
            {
                samples.Add(Us(t2 - t0));
                preemptOnly.Add(Us(t1 - t0));
            }
        }

        samples.Sort();
        preemptOnly.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PREEMPT → first RESERVATION CONFLICT on A's WRITE: p50 {samples[rounds / 2]:N1} us  p99 {samples[(int)(rounds * 0.99)]:N1} us  (PREEMPT alone p50 {preemptOnly[rounds / 2]:N1} us; {rounds} rounds)"));

        static async Task Drain(IscsiTransport t)
        {
            byte[] s = new byte[96];
            for (int i = 0; i < 8 && (await t.ExecuteAsync(new byte[6], DataDirection.None, default, s, TimeSpan.FromSeconds(10))).Status != ScsiStatus.Good; i++)
            {
            }
        }
    }

    private static async Task PrOut(IscsiTransport t, byte serviceAction, byte type, ulong key, ulong serviceActionKey)
    {
        byte[] cdb = [0x5F, serviceAction, type, 0, 0, 0, 0, 0, 24, 0];
        byte[] p = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(p, key);
        BinaryPrimitives.WriteUInt64BigEndian(p.AsSpan(8), serviceActionKey);
        byte[] sense = new byte[96];
        for (int i = 0; i < 4; i++)
        {
            var r = await t.ExecuteAsync(cdb, DataDirection.ToDevice, p, sense, TimeSpan.FromSeconds(10));
            if (r.Status == ScsiStatus.Good || r.Status == ScsiStatus.ReservationConflict)
            {
                return;
            }

            if (!(r.Status == ScsiStatus.CheckCondition && (sense[2] & 0x0F) == 6))
            {
                throw new InvalidOperationException($"PR OUT {serviceAction:X2}: {r.Status}, sense {Convert.ToHexString(sense, 0, r.SenseLength)}");
            }
        }
    }

    private static byte[] Write10() => [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    private static double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}

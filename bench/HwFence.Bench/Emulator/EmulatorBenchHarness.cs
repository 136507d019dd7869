using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Bench.Emulator;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness emulator [seconds]</c>
/// <para>
/// Serves an in-memory emulated disk over iSCSI on 127.0.0.1 and starts a private tgtd
/// (<see cref="TgtdFixture"/>) in the same run, then measures against both, one after the other:
/// TEST UNIT READY per second (1 and 32 in flight) and 4 KiB random READ / WRITE IOPS (1 and 32 in
/// flight) from libiscsi (<c>iscsi-bench.c</c> next to this file, compiled with gcc against
/// libiscsi; plus <c>iscsi-perf</c>'s random read as a cross-check) and from HwFence's own initiator.
/// Issue 3's target: the emulator at least as fast as tgtd. Numbers go to stdout as a table.
/// </para>
/// </summary>
internal static partial class EmulatorBenchHarness
{
    private const string Initiator = "iqn.2026-01.org.hwfence.bench:emulator";

    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        return RunAsync(TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TimeSpan duration)
    {
        string? tool = CompileLibiscsiTool();
        await using var disk = EmulatedDisk.CreateInMemory(256L * 1024 * 1024, "bench");
        await using var server = disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        var targets = new List<(string Name, string Host, int Port, string Iqn, int Lun)>
        {
            ("emulator", "127.0.0.1", server.LocalEndPoint.Port, disk.Target.Iqn, 0),
        };

        TgtdFixture? tgtd = null;
        if (TgtdAvailability.SkipReason is { } why)
        {
            Console.WriteLine("tgtd: skipped — " + why);
        }
        else
        {
            tgtd = new TgtdFixture(); // 64 MiB LUN 1
            targets.Add(("tgtd", "127.0.0.1", tgtd.Port, tgtd.Iqn, tgtd.Lun));
        }

        try
        {
            Console.WriteLine($"{"target",-9} {"client",-16} {"workload",-16} {"in flight",9} {"ops/s",12}");
            foreach (var t in targets)
            {
                string url = IscsiTransport.FormatAddress(t.Host, t.Port, t.Iqn, t.Lun);
                foreach (var (op, depth) in new[] { ("tur", 1), ("tur", 32), ("read", 1), ("read", 32), ("write", 1), ("write", 32) })
                {
                    if (tool is not null)
                    {
                        RunTool(tool, "warm", op, 8, 1, url); // warm both sides (JIT, caches)
                        double rate = RunTool(tool, "measure", op, depth, duration.TotalSeconds, url);
                        Print(t.Name, "libiscsi", Workload(op), depth, rate);
                    }

                    double ours = await OurInitiatorAsync(t.Host, t.Port, t.Iqn, t.Lun, op, depth, duration);
                    Print(t.Name, "hwfence", Workload(op), depth, ours);
                }

                Print(t.Name, "iscsi-perf", "4K rand read", 32, IscsiPerf(url, duration));
            }
        }
        finally
        {
            tgtd?.Dispose();
            if (tool is not null)
            {
                File.Delete(tool);
            }
        }

        return 0;
    }

    private static string Workload(string op) => op switch { "tur" => "TEST UNIT READY", "read" => "4K rand read", _ => "4K rand write" };

    private static void Print(string target, string client, string workload, int depth, double rate) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target,-9} {client,-16} {workload,-16} {depth,9} {rate,12:N0}"));

    /// <summary>Compiles iscsi-bench.c (next to this source file) with gcc against libiscsi; null when that is impossible.</summary>
    private static string? CompileLibiscsiTool([CallerFilePath] string here = "")
    {
        string source = Path.Combine(Path.GetDirectoryName(here)!, "iscsi-bench.c");
        string output = Path.Combine(Path.GetTempPath(), $"hwfence-iscsi-bench-{Environment.ProcessId}");
        if (!File.Exists(source) || !File.Exists("/usr/include/iscsi/iscsi.h"))
        {
            Console.WriteLine("libiscsi client: skipped — needs gcc, libiscsi-dev headers and " + source);
            return null;
        }

        var (code, text) = Exec("gcc", ["-O2", "-o", output, source, "-liscsi"], TimeSpan.FromMinutes(1));
        if (code != 0)
        {
            Console.WriteLine("libiscsi client: gcc failed — " + text);
            return null;
        }

        return output;
    }

    private static double RunTool(string tool, string initiatorSuffix, string op, int depth, double seconds, string url)
    {
        var (code, text) = Exec(tool, [op, depth.ToString(CultureInfo.InvariantCulture), Math.Max(1, (int)Math.Round(seconds)).ToString(CultureInfo.InvariantCulture), Initiator + "-" + initiatorSuffix, url],
            TimeSpan.FromSeconds(seconds + 30));
        var m = RateLine().Match(text);
        if (code != 0 || !m.Success)
        {
            Console.WriteLine($"  iscsi-bench {op} failed (exit {code}): {text.Trim()}");
            return 0;
        }

        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>iscsi-perf (libiscsi-bin) random 4 KiB reads, 32 in flight; the average of its last report.</summary>
    private static double IscsiPerf(string url, TimeSpan duration)
    {
        var psi = new ProcessStartInfo("iscsi-perf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-i", Initiator + "-perf", "-m", "32", "-b", "8", "-r", url })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi);
        if (p is null)
        {
            return 0;
        }

        var stdout = p.StandardOutput.ReadToEndAsync();
        Thread.Sleep(duration + TimeSpan.FromSeconds(1));
        Exec("kill", ["-INT", p.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5)); // iscsi-perf stops cleanly on SIGINT
        if (!p.WaitForExit(5000))
        {
            p.Kill();
        }

        var matches = PerfLine().Matches(stdout.GetAwaiter().GetResult());
        return matches.Count == 0 ? 0 : double.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>HwFence's initiator: <paramref name="depth"/> workers, each one command at a time, on one session.</summary>
    private static async Task<double> OurInitiatorAsync(string host, int port, string iqn, int lun, string op, int depth, TimeSpan duration)
    {
        await using var t = await IscsiTransport.ConnectAsync(host, port, iqn, lun, new IscsiInitiatorOptions { InitiatorName = Initiator + "-hwfence" });
        var sense = new byte[96];
        for (int i = 0; i < 4; i++)
        {
            await t.ExecuteAsync(new byte[6], DataDirection.None, default, sense, TimeSpan.FromSeconds(10)); // consume unit attentions
        }

        var cap = new byte[32];
        await t.ExecuteAsync(new byte[] { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 }, DataDirection.FromDevice, cap, sense, TimeSpan.FromSeconds(10));
        long blocks = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(cap) + 1;

        async Task<long> Worker(int seed, TimeSpan length)
        {
            var rng = new Random(seed);
            var cdb = new byte[16];
            var buffer = new byte[4096];
            var workerSense = new byte[96];
            long done = 0;
            long end = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                ulong lba = (ulong)rng.NextInt64(blocks / 8) * 8;
                int n = op switch
                {
                    "tur" => Cdb.TestUnitReady(cdb),
                    "read" => Cdb.Read16(cdb, lba, 8),
                    _ => Cdb.Write16(cdb, lba, 8),
                };
                var dir = op switch { "tur" => DataDirection.None, "read" => DataDirection.FromDevice, _ => DataDirection.ToDevice };
                var r = await t.ExecuteAsync(cdb.AsMemory(0, n), dir, op == "tur" ? default : buffer, workerSense, TimeSpan.FromSeconds(10));
                if (r.Status == ScsiStatus.Good)
                {
                    done++;
                }
            }

            return done;
        }

        await Task.WhenAll(Enumerable.Range(0, depth).Select(i => Worker(i, TimeSpan.FromSeconds(1)))); // warm-up
        var sw = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, depth).Select(i => Worker(100 + i, duration)));
        return counts.Sum() / sw.Elapsed.TotalSeconds;
    }

    private static (int Code, string Output) Exec(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        return (p.ExitCode, o.GetAwaiter().GetResult() + e.GetAwaiter().GetResult());
    }

    [GeneratedRegex(@"ops_per_second=(\d+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"iops average (\d+)")]
    private static partial Regex PerfLine();
}

using System.Diagnostics;
using System.Globalization;
using HwFence.Hal.Serial;

namespace HwFence.Bench.Hal;

/// <summary>
/// <c>dotnet run -c Release --project bench/HwFence.Bench -- harness serial-rtt [--iterations N] [--size BYTES]</c>
/// <list type="number">
/// <item>Round trip over the pty null-modem cable, unthrottled: node A writes a heartbeat-sized
/// message through <see cref="TermiosSerialPort"/>, node B echoes it, A reads it back. Reports
/// µs per round trip (p50/p99/max) and bytes allocated per round trip on A's thread.</item>
/// <item>The cable's throttle: one-way bulk transfer at 19200 and 115200 baud, measured rate
/// against the expected baud/10 bytes per second.</item>
/// </list>
/// </summary>
internal static class SerialRoundTripHarness
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static int Run(string[] args)
    {
        int iterations = Option(args, "--iterations", 20_000);
        int size = Option(args, "--size", 64);
        string lockDirectory = Directory.CreateTempSubdirectory("hwfence-bench-lock-").FullName;
        try
        {
            RoundTrips(iterations, size, lockDirectory);
            Throughput(19200, seconds: 2, lockDirectory);
            Throughput(115200, seconds: 1, lockDirectory);
            return 0;
        }
        finally
        {
            Directory.Delete(lockDirectory, recursive: true);
        }
    }

    private static void RoundTrips(int iterations, int size, string lockDirectory)
    {
        using var cable = NullModemCable.Create(seed: 1);
        using var a = TermiosSerialPort.Open(cable.PathA, new SerialPortSettings(BaudRate: 115200), lockDirectory);
        using var b = TermiosSerialPort.Open(cable.PathB, new SerialPortSettings(BaudRate: 115200), lockDirectory);
        using var stop = new CancellationTokenSource();
        var echo = new Thread(() => Echo(b, size, stop.Token)) { IsBackground = true, Name = "echo B" };
        echo.Start();

        byte[] message = new byte[size];
        byte[] reply = new byte[size];
        new Random(5).NextBytes(message);
        int warmup = Math.Min(2_000, iterations / 5);
        long[] ticks = new long[iterations];
        long allocatedBefore = 0;
        for (int i = -warmup; i < iterations; i++)
        {
            if (i == 0)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            }

            long start = Stopwatch.GetTimestamp();
            a.Write(message, s_timeout);
            ReadExactly(a, reply);
            if (i >= 0)
            {
                ticks[i] = Stopwatch.GetTimestamp() - start;
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        stop.Cancel();
        a.Write(message, s_timeout); // unblock the echo thread's read
        echo.Join();
        if (!message.AsSpan().SequenceEqual(reply))
        {
            throw new InvalidOperationException("echo corrupted the message");
        }

        Array.Sort(ticks);
        double us(long t) => t * 1_000_000.0 / Stopwatch.Frequency;
        double total = ticks.Sum(t => us(t));
        Console.WriteLine($"serial-rtt: {iterations} round trips of {size} bytes over TermiosSerialPort ↔ pty null-modem cable (unthrottled) ↔ echo");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  p50 {us(ticks[iterations / 2]):0.0} µs   p99 {us(ticks[(int)(iterations * 0.99)]):0.0} µs   max {us(ticks[^1]):0.0} µs   mean {total / iterations:0.0} µs   {iterations / (total / 1e6):0} round trips/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated on the caller's thread: {allocated / (double)iterations:0.00} bytes per round trip"));
    }

    private static void Echo(TermiosSerialPort port, int size, CancellationToken stop)
    {
        byte[] buffer = new byte[size];
        while (!stop.IsCancellationRequested)
        {
            ReadExactly(port, buffer);
            if (!stop.IsCancellationRequested)
            {
                port.Write(buffer, s_timeout);
            }
        }
    }

    private static void Throughput(int baud, int seconds, string lockDirectory)
    {
        using var cable = NullModemCable.Create(seed: 1);
        cable.BaudRate = baud;
        using var a = TermiosSerialPort.Open(cable.PathA, new SerialPortSettings(BaudRate: baud), lockDirectory);
        using var b = TermiosSerialPort.Open(cable.PathB, new SerialPortSettings(BaudRate: baud), lockDirectory);
        int expectedRate = baud / 10; // 10 bits per byte on the line: start, 8 data, stop
        byte[] payload = new byte[expectedRate * seconds];
        var writer = new Thread(() => a.Write(payload, TimeSpan.FromSeconds(seconds * 4))) { IsBackground = true };
        writer.Start();

        // The clock starts when the first chunk arrives (excluding thread start-up); that chunk is not counted.
        byte[] buffer = new byte[4096];
        int total = 0, counted = 0;
        long start = 0;
        while (total < payload.Length)
        {
            int n = b.Read(buffer, s_timeout);
            if (n == 0)
            {
                throw new TimeoutException($"throttled transfer stalled at {total} of {payload.Length} bytes");
            }

            total += n;
            if (start == 0)
            {
                start = Stopwatch.GetTimestamp();
                continue;
            }

            counted += n;
        }

        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        writer.Join();
        double rate = counted / elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cable throttle at {baud} baud: {rate:0} bytes/s measured over {total} bytes, expected {expectedRate} (baud/10): {rate / expectedRate * 100:0.0}%"));
    }

    private static void ReadExactly(TermiosSerialPort port, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = port.Read(buffer[got..], s_timeout);
            if (n == 0)
            {
                throw new TimeoutException($"{port.Device}: echo did not arrive within {s_timeout}");
            }

            got += n;
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

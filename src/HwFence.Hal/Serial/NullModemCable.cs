using System.Diagnostics;
using static HwFence.Hal.Interop.Libc.PollEvents;

namespace HwFence.Hal.Serial;

/// <summary>Byte counts of a <see cref="NullModemCable"/>, both directions added up except where named.</summary>
/// <param name="ForwardedAToB">Bytes delivered into end B's master (what B's node reads).</param>
/// <param name="ForwardedBToA">Bytes delivered into end A's master.</param>
/// <param name="LostWhileCut">Bytes sent while the cable was cut.</param>
/// <param name="LostUnplugged">Bytes sent towards an end no node had open.</param>
/// <param name="Dropped">Bytes removed by <see cref="NullModemCable.DropRate"/>.</param>
/// <param name="Flipped">Bytes with one bit flipped by <see cref="NullModemCable.BitFlipRate"/>.</param>
/// <param name="Inserted">Garbage bytes inserted by <see cref="NullModemCable.GarbageRate"/>.</param>
/// <param name="Overrun">Bytes lost because the receiving node did not read (its input queue stayed full).</param>
public readonly record struct NullModemCableCounters(
    long ForwardedAToB,
    long ForwardedBToA,
    long LostWhileCut,
    long LostUnplugged,
    long Dropped,
    long Flipped,
    long Inserted,
    long Overrun);

/// <summary>
/// A null-modem cable between two pseudo-terminals for tests, <c>hwfence demo</c> and the emulated
/// HIL rig: each node opens its own slave path (<see cref="PathA"/>, <see cref="PathB"/>) as it
/// would /dev/ttyS1, and two relay threads copy master A → master B and B → A. The rig can
/// <see cref="Cut"/> and <see cref="Reconnect"/> the cable, slow it to a baud rate, and damage bytes
/// (seeded, so a failing run replays).
/// </summary>
/// <remarks>
/// The relays block in poll(2) on their master and an eventfd (for Dispose); no sleeps. When a node
/// closes its end the master reports POLLHUP until the slave is reopened, with no event for the
/// reopen, so the relay of an unplugged end looks again every <see cref="UnpluggedRecheck"/>; bytes
/// sent towards an end nobody holds open are lost, as on a real cable. The throttle delivers slices
/// of at most 5 ms of line time (10 bits per byte: start, 8 data, stop), each when the emulated line
/// would have finished sending it, waiting in poll(2) on the eventfd; queued bytes follow each other
/// back to back, so the long-run rate is exact (bench harness serial-rtt measures it).
/// </remarks>
public sealed class NullModemCable : IDisposable
{
    /// <summary>How often an unplugged end is checked for a node reopening it.</summary>
    public static readonly TimeSpan UnpluggedRecheck = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a relay waits for a receiving node to make room before counting an overrun.</summary>
    public static readonly TimeSpan OverrunWait = TimeSpan.FromMilliseconds(100);

    private readonly object _gate = new();
    private readonly WakeSignal _wake;
    private readonly bool _ownsEnds;
    private readonly Thread _aToB;
    private readonly Thread _bToA;
    private readonly int _seed;
    private volatile bool _disposed;
    private volatile bool _cut;
    private int _baudRate;
    private double _bitFlipRate;
    private double _dropRate;
    private double _garbageRate;
    private NullModemCableCounters _counters;

    /// <summary>Connects two existing pty pairs (their masters) and starts relaying.</summary>
    /// <param name="seed">Seeds the noise generators (direction A→B uses <c>seed</c>, B→A <c>seed + 1</c>).</param>
    /// <param name="ownsEnds">Dispose the pseudo-terminals with the cable.</param>
    public NullModemCable(PseudoTerminal endA, PseudoTerminal endB, int seed = 1, bool ownsEnds = false)
    {
        ArgumentNullException.ThrowIfNull(endA);
        ArgumentNullException.ThrowIfNull(endB);
        EndA = endA;
        EndB = endB;
        _seed = seed;
        _ownsEnds = ownsEnds;
        _wake = WakeSignal.Create();
        _aToB = new Thread(() => Relay(EndA, EndB, new Random(_seed), aToB: true)) { IsBackground = true, Name = "null-modem A→B" };
        _bToA = new Thread(() => Relay(EndB, EndA, new Random(_seed + 1), aToB: false)) { IsBackground = true, Name = "null-modem B→A" };
        _aToB.Start();
        _bToA.Start();
    }

    /// <summary>Creates two pty pairs, joins them and owns them.</summary>
    public static NullModemCable Create(int seed = 1)
    {
        PseudoTerminal a = PseudoTerminal.Open();
        try
        {
            PseudoTerminal b = PseudoTerminal.Open();
            try
            {
                return new NullModemCable(a, b, seed, ownsEnds: true);
            }
            catch
            {
                b.Dispose();
                throw;
            }
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }

    public PseudoTerminal EndA { get; }

    public PseudoTerminal EndB { get; }

    /// <summary>The tty node A's node opens (e.g. /dev/pts/4).</summary>
    public string PathA => EndA.SlavePath;

    /// <summary>The tty node B's node opens.</summary>
    public string PathB => EndB.SlavePath;

    /// <summary>True between <see cref="Cut"/> and <see cref="Reconnect"/>.</summary>
    public bool IsCut => _cut;

    /// <summary>Line speed to emulate (bytes/s = baud / 10); null = as fast as the relay runs.</summary>
    public int? BaudRate
    {
        get => Volatile.Read(ref _baudRate) is var b && b > 0 ? b : null;
        set
        {
            if (value is < 50)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the cable's baud rate must be at least 50, or null for no throttle");
            }

            Volatile.Write(ref _baudRate, value ?? 0);
        }
    }

    /// <summary>Probability (0–1) that a byte gets one random bit flipped.</summary>
    public double BitFlipRate
    {
        get => Volatile.Read(ref _bitFlipRate);
        set => Volatile.Write(ref _bitFlipRate, CheckRate(value));
    }

    /// <summary>Probability (0–1) that a byte is lost.</summary>
    public double DropRate
    {
        get => Volatile.Read(ref _dropRate);
        set => Volatile.Write(ref _dropRate, CheckRate(value));
    }

    /// <summary>Probability (0–1) that a random garbage byte follows a byte.</summary>
    public double GarbageRate
    {
        get => Volatile.Read(ref _garbageRate);
        set => Volatile.Write(ref _garbageRate, CheckRate(value));
    }

    /// <summary>A snapshot of the byte counts.</summary>
    public NullModemCableCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return _counters;
            }
        }
    }

    /// <summary>Cuts the cable: from now on every byte sent either way is lost.</summary>
    public void Cut() => _cut = true;

    /// <summary>Reconnects the cable: bytes flow again (those sent while cut stay lost).</summary>
    public void Reconnect() => _cut = false;

    /// <summary>
    /// Blocks until <paramref name="condition"/> holds for the counters (re-evaluated whenever a relay
    /// updates them) or <paramref name="timeout"/> passes; returns whether it held. Lets tests wait for
    /// "the relay has seen those bytes" without sleeping.
    /// </summary>
    public bool WaitForCounters(Func<NullModemCableCounters, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        long deadline = DeviceIo.Deadline(DeviceIo.ToPollTimeout(timeout, nameof(timeout)));
        lock (_gate)
        {
            while (!condition(_counters))
            {
                int remaining = DeviceIo.Remaining(deadline);
                if (remaining == 0 || !Monitor.Wait(_gate, remaining))
                {
                    return condition(_counters);
                }
            }

            return true;
        }
    }

    private static double CheckRate(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a rate is a probability between 0 and 1");

    private void Relay(PseudoTerminal source, PseudoTerminal destination, Random random, bool aToB)
    {
        var input = new byte[4096];
        var output = new byte[input.Length * 2]; // room for one inserted garbage byte per byte
        long lineFreeAt = 0; // Stopwatch timestamp when the emulated line has sent everything so far
        int recheckMs = (int)UnpluggedRecheck.TotalMilliseconds;
        int overrunMs = (int)OverrunWait.TotalMilliseconds;
        long maxCatchUpTicks = Stopwatch.Frequency / 10; // 100 ms

        try
        {
            while (!_disposed)
            {
                int chunk = Volatile.Read(ref _baudRate) is var throttle && throttle > 0 ? SliceLength(throttle, input.Length) : input.Length;
                // First take what is already queued (the emulated line has been busy all along), and
                // only then block until bytes come (the line was idle until now).
                PtyReadStatus status = source.Read(input.AsSpan(0, chunk), 0, _wake, out int n);
                bool lineWasBusy = status == PtyReadStatus.Data;
                if (status == PtyReadStatus.TimedOut)
                {
                    status = source.Read(input.AsSpan(0, chunk), -1, _wake, out n);
                }

                if (status == PtyReadStatus.SlaveClosed)
                {
                    // Unplugged: POLLHUP stays raised until a node reopens the slave, and nothing signals
                    // the reopen, so wait on the eventfd alone and look again.
                    while (!_disposed && source.IsSlaveClosed)
                    {
                        WaitForWake(recheckMs);
                    }

                    continue;
                }

                if (status != PtyReadStatus.Data)
                {
                    continue;
                }

                if (_cut)
                {
                    Count(lostWhileCut: n);
                    continue;
                }

                int m = Damage(input.AsSpan(0, n), output, random, out long dropped, out long flipped, out long inserted);
                if (dropped + flipped + inserted > 0)
                {
                    Count(dropped: dropped, flipped: flipped, inserted: inserted);
                }

                // Deliver in slices of at most 5 ms of line time, each when the emulated line has sent
                // it (the throttle may have been switched on while this read was already waiting).
                for (int offset = 0; offset < m && !_disposed;)
                {
                    int baud = Volatile.Read(ref _baudRate);
                    int slice = baud > 0 ? Math.Min(SliceLength(baud, m), m - offset) : m - offset;
                    if (baud > 0)
                    {
                        // Queued bytes follow the previous ones back to back, so a relay that woke late
                        // catches up (bounded by MaxCatchUp); bytes that found the line idle start now.
                        long now = Stopwatch.GetTimestamp();
                        long sliceTicks = slice * 10L * Stopwatch.Frequency / baud;
                        lineFreeAt = (lineWasBusy || offset > 0 ? Math.Max(lineFreeAt, now - maxCatchUpTicks) : Math.Max(lineFreeAt, now)) + sliceTicks;
                        if (!WaitUntil(lineFreeAt))
                        {
                            break; // disposed
                        }
                    }

                    Deliver(destination, output.AsSpan(offset, slice), overrunMs, aToB);
                    offset += slice;
                }
            }
        }
        catch (Exception ex) when (_disposed && ex is ObjectDisposedException or IOException)
        {
            // The ends were closed under us during Dispose.
        }
    }

    /// <summary>Bytes in 5 ms of line time at <paramref name="baud"/> (10 bits per byte), at least 1.</summary>
    private static int SliceLength(int baud, int max) => Math.Clamp(baud / 10 / 200, 1, max);

    /// <summary>Writes one slice into the destination master, or counts why it was lost.</summary>
    private void Deliver(PseudoTerminal destination, ReadOnlySpan<byte> slice, int overrunMs, bool aToB)
    {
        if (_cut)
        {
            Count(lostWhileCut: slice.Length);
            return;
        }

        if (destination.IsSlaveClosed)
        {
            Count(lostUnplugged: slice.Length);
            return;
        }

        int written = destination.Write(slice, overrunMs, _wake);
        Count(aToB: aToB ? written : 0, bToA: aToB ? 0 : written, overrun: slice.Length - written);
    }

    /// <summary>Applies drop / bit-flip / garbage to <paramref name="input"/>; returns the bytes in <paramref name="output"/>.</summary>
    private int Damage(ReadOnlySpan<byte> input, Span<byte> output, Random random, out long dropped, out long flipped, out long inserted)
    {
        dropped = flipped = inserted = 0;
        double drop = DropRate, flip = BitFlipRate, garbage = GarbageRate;
        if (drop == 0 && flip == 0 && garbage == 0)
        {
            input.CopyTo(output);
            return input.Length;
        }

        int m = 0;
        foreach (byte b in input)
        {
            // A fixed number of draws per outcome: the damage depends only on the seed and the byte
            // stream, not on how the relay happened to chunk it.
            if (random.NextDouble() < drop)
            {
                dropped++;
                continue;
            }

            byte value = b;
            if (random.NextDouble() < flip)
            {
                value ^= (byte)(1 << random.Next(8));
                flipped++;
            }

            output[m++] = value;
            if (random.NextDouble() < garbage)
            {
                output[m++] = (byte)random.Next(256);
                inserted++;
            }
        }

        return m;
    }

    /// <summary>Adds to the counters and wakes <see cref="WaitForCounters"/>.</summary>
    private void Count(
        long aToB = 0, long bToA = 0, long lostWhileCut = 0, long lostUnplugged = 0,
        long dropped = 0, long flipped = 0, long inserted = 0, long overrun = 0)
    {
        lock (_gate)
        {
            NullModemCableCounters c = _counters;
            _counters = new NullModemCableCounters(
                c.ForwardedAToB + aToB,
                c.ForwardedBToA + bToA,
                c.LostWhileCut + lostWhileCut,
                c.LostUnplugged + lostUnplugged,
                c.Dropped + dropped,
                c.Flipped + flipped,
                c.Inserted + inserted,
                c.Overrun + overrun);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks in poll(2) on the eventfd for up to <paramref name="milliseconds"/>; true if woken (disposed).</summary>
    private bool WaitForWake(int milliseconds) =>
        DeviceIo.Wait(_wake.Handle, POLLIN, null, milliseconds, out _, out _) == WaitOutcome.Ready;

    /// <summary>Waits until the Stopwatch timestamp <paramref name="due"/>; false if disposed meanwhile.</summary>
    private bool WaitUntil(long due)
    {
        while (!_disposed)
        {
            long left = due - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return true;
            }

            WaitForWake((int)Math.Ceiling(left * 1000.0 / Stopwatch.Frequency));
        }

        return false;
    }

    /// <summary>Stops both relays and, if it owns them, closes the pseudo-terminals.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wake.Set();
        _aToB.Join();
        _bToA.Join();
        if (_ownsEnds)
        {
            EndA.Dispose();
            EndB.Dispose();
        }

        _wake.Dispose();
    }
}

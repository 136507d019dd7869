using System.Text;
using HwFence.Hal.Serial;

namespace HwFence.Hal.Tests.Serial;

/// <summary>
/// Two nodes' serial ports joined by the pty null-modem cable. Waits are bounded reads in poll(2) or
/// waits on the cable's counters; nothing sleeps and nothing asserts on wall-clock time (the
/// throttle's rate is measured by bench/ harness serial-rtt).
/// </summary>
public sealed class NullModemCableTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private readonly string _lockDirectory = Directory.CreateTempSubdirectory("hwfence-lock-").FullName;
    private readonly NullModemCable _cable = NullModemCable.Create(seed: 42);

    public void Dispose()
    {
        _cable.Dispose();
        Directory.Delete(_lockDirectory, recursive: true);
    }

    private TermiosSerialPort Open(string path) => TermiosSerialPort.Open(path, new SerialPortSettings(), _lockDirectory);

    private static byte[] ReadExactly(ISerialPort port, int count)
    {
        byte[] buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = port.Read(buffer.AsSpan(got), s_wait);
            Assert.True(n > 0, $"{port.Device}: only {got} of {count} bytes arrived");
            got += n;
        }

        return buffer;
    }

    [Fact]
    public void BytesFlowBothWays()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);

        a.Write("hello from A"u8, s_wait);
        Assert.Equal("hello from A", Encoding.ASCII.GetString(ReadExactly(b, 12)));

        b.Write("hello from B"u8, s_wait);
        Assert.Equal("hello from B", Encoding.ASCII.GetString(ReadExactly(a, 12)));

        // The relay counts after its write, so the reader can be a step ahead of the counters.
        Assert.True(_cable.WaitForCounters(c => c.ForwardedAToB == 12 && c.ForwardedBToA == 12, s_wait), _cable.Counters.ToString());
    }

    [Fact]
    public async Task ALargeTransferArrivesIntactAndInOrder()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);
        byte[] payload = new byte[64 * 1024];
        new Random(7).NextBytes(payload);

        Task writer = Task.Factory.StartNew(() => a.Write(payload, s_wait), TaskCreationOptions.LongRunning);
        byte[] received = ReadExactly(b, payload.Length);
        await writer;

        Assert.Equal(payload, received);
    }

    [Fact]
    public void ACutCableLosesBytesAndReconnectingRestoresTheFlow()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);

        _cable.Cut();
        a.Write("lost"u8, s_wait);
        Assert.True(_cable.WaitForCounters(c => c.LostWhileCut >= 4, s_wait), "the relay never saw the bytes sent while cut");
        Assert.Equal(0, b.Read(new byte[16], TimeSpan.Zero));

        _cable.Reconnect();
        a.Write("back"u8, s_wait);
        Assert.Equal("back", Encoding.ASCII.GetString(ReadExactly(b, 4))); // nothing of "lost" in front
        Assert.Equal(0, b.Read(new byte[16], TimeSpan.Zero));
    }

    [Fact]
    public void BitFlipsCorruptEveryByteByOneBit()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);
        byte[] payload = Encoding.ASCII.GetBytes("heartbeat frame payload");
        _cable.BitFlipRate = 1.0;

        a.Write(payload, s_wait);
        byte[] received = ReadExactly(b, payload.Length);

        for (int i = 0; i < payload.Length; i++)
        {
            Assert.Equal(1, System.Numerics.BitOperations.PopCount((uint)(payload[i] ^ received[i])));
        }

        Assert.Equal(payload.Length, _cable.Counters.Flipped);
    }

    [Fact]
    public void NoiseIsReproducibleFromTheSeed()
    {
        byte[] payload = new byte[2000];
        new Random(3).NextBytes(payload);

        byte[] first = SendThroughNoisyCable(payload, seed: 99);
        byte[] second = SendThroughNoisyCable(payload, seed: 99);
        byte[] other = SendThroughNoisyCable(payload, seed: 100);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.NotEqual(payload, first);
    }

    private byte[] SendThroughNoisyCable(byte[] payload, int seed)
    {
        using var cable = NullModemCable.Create(seed);
        cable.BitFlipRate = 0.05;
        cable.DropRate = 0.02;
        cable.GarbageRate = 0.02;
        using TermiosSerialPort a = Open(cable.PathA);
        using TermiosSerialPort b = Open(cable.PathB);

        a.Write(payload, s_wait);
        Assert.True(cable.WaitForCounters(c => c.ForwardedAToB + c.Dropped - c.Inserted >= payload.Length, s_wait));
        long expected = cable.Counters.ForwardedAToB;
        return ReadExactly(b, (int)expected);
    }

    [Fact]
    public void DropRateOneDeliversNothing()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);
        _cable.DropRate = 1.0;

        a.Write("gone"u8, s_wait);

        Assert.True(_cable.WaitForCounters(c => c.Dropped >= 4, s_wait));
        Assert.Equal(0, b.Read(new byte[16], TimeSpan.Zero));
    }

    [Fact]
    public void GarbageIsInsertedBetweenBytes()
    {
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);
        _cable.GarbageRate = 1.0;

        a.Write("abc"u8, s_wait);
        byte[] received = ReadExactly(b, 6);

        Assert.Equal((byte)'a', received[0]);
        Assert.Equal((byte)'b', received[2]);
        Assert.Equal((byte)'c', received[4]);
        Assert.Equal(3, _cable.Counters.Inserted);
    }

    [Fact]
    public void AThrottledCableStillDeliversEverything()
    {
        // Functional only: the rate itself is measured in bench/ (harness serial-rtt).
        using TermiosSerialPort a = Open(_cable.PathA);
        using TermiosSerialPort b = Open(_cable.PathB);
        _cable.BaudRate = 115200;
        byte[] payload = Encoding.ASCII.GetBytes(new string('x', 300));

        a.Write(payload, s_wait);

        Assert.Equal(payload, ReadExactly(b, payload.Length));
    }

    [Fact]
    public void AnEndNobodyHoldsLosesBytesAndWorksAgainWhenReopened()
    {
        using TermiosSerialPort b = Open(_cable.PathB);
        TermiosSerialPort a = Open(_cable.PathA);
        a.Dispose(); // node A closes its end: its master now reads EIO / POLLHUP

        b.Write("into the void"u8, s_wait);
        Assert.True(_cable.WaitForCounters(c => c.LostUnplugged >= 13, s_wait), "bytes towards an unplugged end must be lost, not queued");

        using TermiosSerialPort reopened = Open(_cable.PathA);
        reopened.Write("A is back"u8, s_wait);
        Assert.Equal("A is back", Encoding.ASCII.GetString(ReadExactly(b, 9)));

        b.Write("welcome"u8, s_wait);
        Assert.Equal("welcome", Encoding.ASCII.GetString(ReadExactly(reopened, 7)));
    }

    [Fact]
    public void RatesOutsideZeroToOneAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _cable.BitFlipRate = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => _cable.DropRate = -0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => _cable.BaudRate = 10);
    }
}

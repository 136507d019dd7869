using System.Text;
using HwFence.Hal.Serial;

namespace HwFence.Hal.Tests.Serial;

/// <summary>The termios binding against real pseudo-terminals: a pty slave is a tty like /dev/ttyS1.</summary>
public sealed class TermiosSerialPortTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private readonly PseudoTerminal _pty = PseudoTerminal.Open();
    private readonly string _lockDirectory = Directory.CreateTempSubdirectory("hwfence-lock-").FullName;

    public void Dispose()
    {
        _pty.Dispose();
        Directory.Delete(_lockDirectory, recursive: true);
    }

    private TermiosSerialPort OpenSlave(SerialPortSettings? settings = null) =>
        TermiosSerialPort.Open(_pty.SlavePath, settings ?? new SerialPortSettings(), _lockDirectory);

    [Fact]
    public void SettingsAreAppliedAndReadBackThroughTheMaster()
    {
        // A pty keeps speed, stop bits and CRTSCTS (it forces CS8 and no parity: see the next test).
        var wanted = new SerialPortSettings(BaudRate: 115200, DataBits: 8, Parity: Parity.None, StopBits: StopBits.Two, RtsCts: true);
        using TermiosSerialPort port = OpenSlave(wanted);

        // An independent tcgetattr on the pty master (Linux reads the slave's termios there).
        SerialPortSettings seen = _pty.ReadSlaveSettings(out bool raw);

        Assert.Equal(wanted, seen);
        Assert.True(raw, "ICANON/ECHO/ISIG/IEXTEN, OPOST, IXON/ICRNL off; VMIN=1, VTIME=0");
        Assert.Equal(wanted, port.ReadBackSettings(out _));
    }

    [Theory]
    [InlineData(9600)]
    [InlineData(19200)]
    [InlineData(921600)]
    public void EverySpeedIsApplied(int baud)
    {
        using TermiosSerialPort port = OpenSlave(new SerialPortSettings(BaudRate: baud));

        Assert.Equal(baud, _pty.ReadSlaveSettings(out _).BaudRate);
    }

    [Theory]
    [InlineData(7, Parity.Even, "7E1 framing (it kept 8N1)")]
    [InlineData(8, Parity.Odd, "8O1 framing (it kept 8N1)")]
    [InlineData(5, Parity.None, "5N1 framing (it kept 8N1)")]
    public void SettingsTheDriverSilentlyIgnoresAreDetected(int bits, Parity parity, string message)
    {
        // tcsetattr succeeds if any change was applied; Linux's pty driver forces CS8 without parity,
        // exactly like a USB adapter that cannot do some framing. The read-back must catch it.
        var ex = Assert.Throws<SerialPortException>(() => OpenSlave(new SerialPortSettings(DataBits: bits, Parity: parity)));

        Assert.Contains("the driver did not accept " + message, ex.Message);
        Assert.Empty(Directory.GetFiles(_lockDirectory)); // lock released on failure
    }

    [Fact]
    public void ASecondOpenIsBusyWhileTheLockFileIsHeldAndTheLockGoesAwayOnDispose()
    {
        // The real FHS directory, as minicom and picocom would look at it.
        string lockFile;
        using (var port = TermiosSerialPort.Open(_pty.SlavePath, new SerialPortSettings()))
        {
            lockFile = port.LockFilePath;
            Assert.StartsWith(UucpLockFile.DefaultDirectory + "/LCK..pts_", lockFile);
            Assert.Equal(UucpLockFile.Format(Environment.ProcessId), File.ReadAllText(lockFile));

            var ex = Assert.Throws<SerialPortException>(() => TermiosSerialPort.Open(_pty.SlavePath, new SerialPortSettings()));
            Assert.Contains("busy", ex.Message);
            Assert.Contains(lockFile, ex.Message);
            Assert.False(ex.Unplugged);
        }

        Assert.False(File.Exists(lockFile), "the lock file must be removed on Dispose");
        using TermiosSerialPort again = TermiosSerialPort.Open(_pty.SlavePath, new SerialPortSettings());
    }

    [Fact]
    public void FlockKeepsOutAnOpenerThatIgnoresTheLockFile()
    {
        // Root bypasses TIOCEXCL, so flock is what stops a second opener using another lock directory.
        using TermiosSerialPort first = OpenSlave();
        string otherLocks = Directory.CreateTempSubdirectory("hwfence-lock2-").FullName;
        try
        {
            var ex = Assert.Throws<SerialPortException>(() => TermiosSerialPort.Open(_pty.SlavePath, new SerialPortSettings(), otherLocks));
            Assert.Contains("flock", ex.Message);
            Assert.Contains("exclusive use", ex.Message);
            Assert.Empty(Directory.GetFiles(otherLocks)); // the failed opener released its lock file
        }
        finally
        {
            Directory.Delete(otherLocks, recursive: true);
        }
    }

    [Fact]
    public void AStaleLockFromADeadProcessIsReplaced()
    {
        int deadPid = DeadPid();
        string lockFile = Path.Combine(_lockDirectory, UucpLockFile.LockName(_pty.SlavePath));
        File.WriteAllText(lockFile, UucpLockFile.Format(deadPid));

        using TermiosSerialPort port = OpenSlave();

        Assert.Equal(UucpLockFile.Format(Environment.ProcessId), File.ReadAllText(lockFile));
    }

    [Fact]
    public void ALockHeldByALiveProcessNamesIt()
    {
        string lockFile = Path.Combine(_lockDirectory, UucpLockFile.LockName(_pty.SlavePath));
        File.WriteAllText(lockFile, UucpLockFile.Format(1)); // PID 1 always exists

        var ex = Assert.Throws<SerialPortException>(() => OpenSlave());

        Assert.Contains("in use by PID 1", ex.Message);
        Assert.Equal(UucpLockFile.Format(1), File.ReadAllText(lockFile)); // not ours to remove
    }

    [Fact]
    public void ReadTimesOutWithZero()
    {
        using TermiosSerialPort port = OpenSlave();
        Assert.Equal(0, port.Read(new byte[16], TimeSpan.FromMilliseconds(20)));
        Assert.Equal(0, port.Read(new byte[16], TimeSpan.Zero));
    }

    [Fact]
    public void BytesFlowBothWaysBetweenSlaveAndMaster()
    {
        using TermiosSerialPort port = OpenSlave();

        port.Write("ping\n\r\x11\x13"u8, s_wait); // raw: no CR/LF translation, no XON/XOFF
        Assert.Equal("ping\n\r\x11\x13", Encoding.ASCII.GetString(ReadMaster(8)));

        Assert.Equal(4, _pty.Write("pong"u8, s_wait));
        byte[] buffer = new byte[16];
        int n = port.Read(buffer, s_wait);
        Assert.Equal("pong", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public void ReadAndWriteDoNotAllocateInSteadyState()
    {
        using TermiosSerialPort port = OpenSlave();
        byte[] frame = new byte[64];
        byte[] buffer = new byte[64];
        for (int i = 0; i < 10; i++) // warm up (JIT, first-call marshalling stubs)
        {
            RoundTrip(port, frame, buffer);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RoundTrip(port, frame, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void RoundTrip(TermiosSerialPort port, byte[] frame, byte[] buffer)
    {
        // slave → master → slave: the node's write, the "wire" echoing it back, the node's read.
        // (No xunit asserts inside: their comparers allocate.)
        port.Write(frame, s_wait);
        int echoed = 0;
        while (echoed < frame.Length)
        {
            if (_pty.Read(buffer.AsSpan(echoed), s_wait, out int n) != PtyReadStatus.Data)
            {
                throw new TimeoutException("the master did not receive the frame");
            }

            echoed += n;
        }

        if (_pty.Write(buffer, s_wait) != frame.Length)
        {
            throw new TimeoutException("the master could not echo the frame");
        }

        int got = 0;
        while (got < frame.Length)
        {
            int n = port.Read(buffer.AsSpan(got), s_wait);
            got += n > 0 ? n : throw new TimeoutException("the echo did not arrive");
        }
    }

    [Fact]
    public void ClosingTheMasterIsAnUnplugForReaders()
    {
        using TermiosSerialPort port = OpenSlave();

        _pty.Dispose();

        var ex = Assert.Throws<SerialPortException>(() => port.Read(new byte[16], s_wait));
        Assert.True(ex.Unplugged);
        Assert.Contains("hang-up", ex.Message);
    }

    [Fact]
    public void ClosingTheMasterIsAnUnplugForWriters()
    {
        using TermiosSerialPort port = OpenSlave();

        _pty.Dispose();

        var ex = Assert.Throws<SerialPortException>(() => port.Write("x"u8, s_wait));
        Assert.True(ex.Unplugged);
        Assert.Equal(Interop.Errors.EIO, ex.Errno);
    }

    [Fact]
    public void AMissingDeviceIsAnUnplugWithARemedy()
    {
        var ex = Assert.Throws<SerialPortException>(() => TermiosSerialPort.Open("/dev/ttyUSB-hwfence-none", new SerialPortSettings(), _lockDirectory));

        Assert.True(ex.Unplugged);
        Assert.Equal(Interop.Errors.ENOENT, ex.Errno);
        Assert.Contains("plugged in", ex.Message);
        Assert.Empty(Directory.GetFiles(_lockDirectory));
    }

    [Fact]
    public void ANonTerminalIsRefused()
    {
        var ex = Assert.Throws<SerialPortException>(() => TermiosSerialPort.Open("/dev/null", new SerialPortSettings(), _lockDirectory));

        Assert.Equal(Interop.Errors.ENOTTY, ex.Errno);
        Assert.Contains("not a serial terminal", ex.Message);
        Assert.Empty(Directory.GetFiles(_lockDirectory));
    }

    [Fact]
    public void InvalidSettingsAreRefusedBeforeTheDeviceIsTouched()
    {
        var ex = Assert.Throws<ArgumentException>(() => OpenSlave(new SerialPortSettings(BaudRate: 14400)));

        Assert.Contains("BaudRate 14400", ex.Message);
        Assert.Empty(Directory.GetFiles(_lockDirectory));
    }

    [Fact]
    public async Task DisposeWakesABlockedReader()
    {
        TermiosSerialPort port = OpenSlave();
        Task<int> reader = Task.Factory.StartNew(() => port.Read(new byte[16], Timeout.InfiniteTimeSpan), TaskCreationOptions.LongRunning);

        port.Dispose();

        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => reader);
    }

    [Fact]
    public void FactoryOpensTermiosPorts()
    {
        ISerialPortFactory factory = new TermiosSerialPortFactory(_lockDirectory);
        using ISerialPort port = factory.Open(_pty.SlavePath, new SerialPortSettings());
        Assert.Equal(_pty.SlavePath, port.Device);
    }

    private byte[] ReadMaster(int count)
    {
        byte[] result = new byte[count];
        int got = 0;
        while (got < count)
        {
            PtyReadStatus status = _pty.Read(result.AsSpan(got), s_wait, out int n);
            Assert.Equal(PtyReadStatus.Data, status);
            got += n;
        }

        return result;
    }

    private static int DeadPid()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }
}

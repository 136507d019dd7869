using static HwFence.Hal.Interop.Libc;
using static HwFence.Hal.Interop.Libc.OpenFlags;
using static HwFence.Hal.Interop.Libc.PollEvents;

namespace HwFence.Hal.Serial;

/// <summary>
/// A serial line through Linux termios: opened O_RDWR | O_NOCTTY | O_NONBLOCK, held exclusively
/// (UUCP lock file, flock(2) and TIOCEXCL), raw mode, reads and writes that wait in poll(2) — never
/// in a sleep loop. A USB-serial adapter that disappears, or a pty whose master closed, raises
/// <see cref="SerialPortException"/> with <see cref="SerialPortException.Unplugged"/> set.
/// </summary>
public sealed class TermiosSerialPort : ISerialPort
{
    private readonly SafeDeviceHandle _handle;
    private readonly UucpLockFile _lock;
    private readonly WakeSignal _wake;
    private volatile bool _disposed;

    private TermiosSerialPort(string device, SerialPortSettings settings, SafeDeviceHandle handle, UucpLockFile lockFile, WakeSignal wake)
    {
        Device = device;
        Settings = settings;
        _handle = handle;
        _lock = lockFile;
        _wake = wake;
    }

    /// <inheritdoc/>
    public string Device { get; }

    /// <summary>The settings the port was opened with (and that the driver was verified to hold).</summary>
    public SerialPortSettings Settings { get; }

    /// <summary>The UUCP lock file held while the port is open.</summary>
    public string LockFilePath => _lock.Path;

    /// <summary>
    /// Opens <paramref name="device"/> (e.g. /dev/ttyS1, /dev/ttyUSB0, /dev/pts/7) exclusively and
    /// applies <paramref name="settings"/>. <paramref name="lockDirectory"/> defaults to /var/lock.
    /// </summary>
    public static unsafe TermiosSerialPort Open(string device, SerialPortSettings settings, string? lockDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        SerialPortSettingsValidator.Validate(device, settings);
        if (!OperatingSystem.IsLinux())
        {
            throw new SerialPortException(device, "the termios binding supports Linux only (struct termios and B* constants are Linux x86-64/arm64 values)");
        }

        UucpLockFile lockFile = UucpLockFile.Acquire(device, lockDirectory ?? UucpLockFile.DefaultDirectory);
        SafeDeviceHandle? handle = null;
        try
        {
            handle = SafeDeviceHandle.Open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, out int errno);
            if (handle.IsInvalid)
            {
                throw Interop.Errors.ForSerial(errno, device, "open(O_RDWR|O_NOCTTY|O_NONBLOCK)");
            }

            // flock also stops root, which TIOCEXCL does not; pyserial's exclusive=True does the same.
            if (Flock(handle, LOCK_EX | LOCK_NB) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "flock(LOCK_EX|LOCK_NB)");
            }

            Termios termios;
            if (TcGetAttr(handle, &termios) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "tcgetattr");
            }

            if (Ioctl(handle, IoctlRequests.TIOCEXCL, null) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "ioctl(TIOCEXCL)");
            }

            if (!TermiosConfiguration.TryApply(&termios, settings, out string? error))
            {
                throw new SerialPortException(device, error!);
            }

            if (TcSetAttr(handle, TermiosBits.TCSANOW, &termios) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "tcsetattr");
            }

            Termios applied;
            if (TcGetAttr(handle, &applied) != 0)
            {
                throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "tcgetattr");
            }

            string? mismatch = TermiosConfiguration.FindMismatch(&applied, settings);
            if (mismatch is not null)
            {
                throw new SerialPortException(device, mismatch + " — choose settings this adapter supports");
            }

            // Whatever arrived before we owned the line belongs to nobody.
            _ = TcFlush(handle, TermiosBits.TCIOFLUSH);
            return new TermiosSerialPort(device, settings, handle, lockFile, WakeSignal.Create());
        }
        catch
        {
            handle?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Read(Span<byte> buffer, TimeSpan timeout)
    {
        int timeoutMs = DeviceIo.ToPollTimeout(timeout, nameof(timeout));
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        long deadline = DeviceIo.Deadline(timeoutMs);
        while (true)
        {
            WaitOutcome outcome = DeviceIo.Wait(_handle, POLLIN, _wake, DeviceIo.Remaining(deadline), out short events, out int errno);
            switch (outcome)
            {
                case WaitOutcome.TimedOut:
                    return 0;
                case WaitOutcome.Woken:
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    continue;
                case WaitOutcome.HungUp:
                    throw HangUp(events);
                case WaitOutcome.Failed:
                    throw Interop.Errors.ForSerial(errno, Device, "poll");
            }

            int n = DeviceIo.Read(_handle, buffer, out errno);
            if (n > 0)
            {
                return n;
            }

            if (n == 0)
            {
                // poll said readable and read says end of file: a tty returns EOF only after a hang-up.
                throw new SerialPortException(Device, "hang-up: the line reported end of file (the other end closed the pty, or the modem dropped carrier); reopen it when it returns", unplugged: true);
            }

            if (errno != Interop.Errors.EAGAIN)
            {
                throw Interop.Errors.ForSerial(errno, Device, "read");
            }

            if (DeviceIo.Remaining(deadline) == 0)
            {
                return 0;
            }
        }
    }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> buffer, TimeSpan timeout)
    {
        int timeoutMs = DeviceIo.ToPollTimeout(timeout, nameof(timeout));
        ObjectDisposedException.ThrowIf(_disposed, this);
        long deadline = DeviceIo.Deadline(timeoutMs);
        int written = 0;
        while (written < buffer.Length)
        {
            int n = DeviceIo.Write(_handle, buffer[written..], out int errno);
            if (n > 0)
            {
                written += n;
                continue;
            }

            if (n < 0 && errno != Interop.Errors.EAGAIN)
            {
                throw Interop.Errors.ForSerial(errno, Device, "write");
            }

            // The output queue is full: wait for room.
            WaitOutcome outcome = DeviceIo.Wait(_handle, POLLOUT, _wake, DeviceIo.Remaining(deadline), out short events, out errno);
            switch (outcome)
            {
                case WaitOutcome.TimedOut:
                    throw new SerialPortException(Device,
                        $"write timed out after {timeout.TotalMilliseconds:0} ms with {written} of {buffer.Length} bytes sent — the line is not draining ({(Settings.RtsCts ? "CTS is held low by the peer, or " : "")}the receiver is not reading)");
                case WaitOutcome.Woken:
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    break;
                case WaitOutcome.HungUp:
                    throw HangUp(events);
                case WaitOutcome.Failed:
                    throw Interop.Errors.ForSerial(errno, Device, "poll");
            }
        }
    }

    /// <summary>The exception for POLLHUP/POLLERR (or POLLNVAL: the fd was closed by Dispose under us).</summary>
    private Exception HangUp(short events)
    {
        if ((events & POLLNVAL) != 0 || _disposed)
        {
            return new ObjectDisposedException(nameof(TermiosSerialPort), $"serial {Device} was closed");
        }

        string what = (events & POLLHUP) != 0 ? "POLLHUP" : "POLLERR";
        return new SerialPortException(Device,
            $"hang-up ({what}): the device went away (USB-serial unplugged, or the other end closed the pty); reopen it when it returns",
            unplugged: true);
    }

    /// <summary>Reads the port's current termios (for diagnostics and tests).</summary>
    internal SerialPortSettings ReadBackSettings(out bool raw) => TermiosConfiguration.Read(_handle, Device, out raw);

    /// <summary>Closes the port (waking a blocked Read/Write, which then throws <see cref="ObjectDisposedException"/>) and removes the lock file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wake.Set();
        _handle.Dispose();
        _lock.Dispose();
        _wake.Dispose();
    }
}

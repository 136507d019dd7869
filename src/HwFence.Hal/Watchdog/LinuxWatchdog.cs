using System.Runtime.InteropServices;

namespace HwFence.Hal.Watchdog;

/// <summary>
/// /dev/watchdog through the Linux watchdog API (Documentation/watchdog/watchdog-api.rst): opening
/// arms it, WDIOC_SETTIMEOUT sets the timeout, WDIOC_KEEPALIVE feeds it, writing 'V' before close
/// ("magic close") disarms it. <see cref="IDisposable.Dispose"/> without <see cref="Disarm"/> closes
/// without the magic character: the watchdog stays armed and resets the node.
/// </summary>
public sealed class LinuxWatchdog : IWatchdog
{
    /// <summary>The usual device node (the first watchdog; /dev/watchdogN for others).</summary>
    public const string DefaultPath = "/dev/watchdog";

    private readonly SafeDeviceHandle _handle;
    private bool _disarmed;

    private LinuxWatchdog(string path, SafeDeviceHandle handle, TimeSpan timeout)
    {
        Name = path;
        _handle = handle;
        Timeout = timeout;
    }

    public string Name { get; }

    public TimeSpan Timeout { get; }

    public bool IsArmed => !_disarmed && !_handle.IsClosed;

    /// <summary>A hardware watchdog that expired has reset the machine: nobody is left to observe it.</summary>
    public bool Expired => false;

    /// <summary>Opens (and so arms) <paramref name="path"/> with <paramref name="timeout"/> (whole seconds, ≥ 1).</summary>
    public static unsafe LinuxWatchdog Open(string path, TimeSpan timeout)
    {
        int seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        if (seconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"{path}: watchdog timeout must be at least 1 s");
        }

        var handle = OpenArmed(path);
        try
        {
            int value = seconds;
            if (Interop.Libc.Ioctl(handle, Interop.Watchdog.WDIOC_SETTIMEOUT, &value) < 0)
            {
                throw Interop.ErrnoToIOException(path, $"WDIOC_SETTIMEOUT({seconds} s)", Marshal.GetLastPInvokeError());
            }

            // The driver writes back the timeout it actually programmed.
            return new LinuxWatchdog(path, handle, TimeSpan.FromSeconds(value > 0 ? value : seconds));
        }
        catch
        {
            // Opening armed it: disarm before giving up, or the failed start would reset the node.
            byte v = (byte)'V';
            _ = Interop.Libc.Write(handle, &v, 1);
            handle.Dispose();
            throw;
        }
    }

    /// <summary>open(2) write-only (opening arms the watchdog), retrying EINTR; throws with errno and remedy.</summary>
    private static SafeDeviceHandle OpenArmed(string path)
    {
        while (true)
        {
            var handle = SafeDeviceHandle.Open(path, Interop.Libc.OpenFlags.O_WRONLY | Interop.Libc.OpenFlags.O_CLOEXEC, out int errno);
            if (!handle.IsInvalid)
            {
                return handle;
            }

            handle.Dispose();
            if (errno != Interop.Errors.EINTR)
            {
                throw Interop.ErrnoToIOException(path, "open", errno);
            }
        }
    }

    public unsafe void Keepalive()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_disarmed)
        {
            throw new InvalidOperationException($"{Name}: keepalive after disarm");
        }

        int dummy = 0;
        if (Interop.Libc.Ioctl(_handle, Interop.Watchdog.WDIOC_KEEPALIVE, &dummy) < 0)
        {
            throw Interop.ErrnoToIOException(Name, "WDIOC_KEEPALIVE", Marshal.GetLastPInvokeError());
        }
    }

    public unsafe void Disarm()
    {
        if (_disarmed || _handle.IsClosed)
        {
            return;
        }

        byte v = (byte)'V';
        if (Interop.Libc.Write(_handle, &v, 1) != 1)
        {
            throw Interop.ErrnoToIOException(Name, "magic close (write 'V')", Marshal.GetLastPInvokeError());
        }

        _disarmed = true;
        _handle.Dispose();
    }

    /// <summary>Closes without the magic character: the watchdog stays armed (see class remarks).</summary>
    public void Dispose() => _handle.Dispose();
}

using static HwFence.Hal.Interop.Libc;
using static HwFence.Hal.Interop.Libc.TermiosBits;

namespace HwFence.Hal.Serial;

/// <summary>
/// Turns <see cref="SerialPortSettings"/> into a raw-mode termios and back (termios(3), "Raw mode"):
/// the same steps as dotnet/runtime's pal_termios.c TermiosReset, written for HwFence's settings.
/// </summary>
internal static class TermiosConfiguration
{
    internal static bool TryGetSpeed(int baudRate, out uint speed)
    {
        speed = baudRate switch
        {
            9600 => B9600,
            19200 => B19200,
            38400 => B38400,
            57600 => B57600,
            115200 => B115200,
            230400 => B230400,
            460800 => B460800,
            500000 => B500000,
            576000 => B576000,
            921600 => B921600,
            _ => 0,
        };
        return speed != 0;
    }

    internal static int ToBaudRate(uint speed) => speed switch
    {
        B9600 => 9600,
        B19200 => 19200,
        B38400 => 38400,
        B57600 => 57600,
        B115200 => 115200,
        B230400 => 230400,
        B460800 => 460800,
        B500000 => 500000,
        B576000 => 576000,
        B921600 => 921600,
        _ => 0,
    };

    /// <summary>
    /// cfmakeraw, then: VMIN=1/VTIME=0 (a read returns as soon as one byte is there; with O_NONBLOCK
    /// it never blocks, poll(2) does the waiting); CLOCAL (ignore DCD: three-wire null-modem cables
    /// have none) and CREAD; no software flow control (XON/XOFF would swallow 0x11/0x13 inside binary
    /// frames); data bits, parity (INPCK|IGNPAR: bytes with parity errors are dropped and the framing
    /// resynchronises), stop bits, CRTSCTS, speed.
    /// </summary>
    internal static unsafe void MakeRaw(Termios* t)
    {
        CfMakeRaw(t);
        t->ControlCharacters[VMIN] = 1;
        t->ControlCharacters[VTIME] = 0;
    }

    internal static unsafe bool TryApply(Termios* t, SerialPortSettings settings, out string? error)
    {
        if (!TryGetSpeed(settings.BaudRate, out uint speed))
        {
            error = $"BaudRate {settings.BaudRate} has no termios speed constant";
            return false;
        }

        MakeRaw(t);
        t->InputFlags &= ~(IXON | IXOFF | INPCK | IGNPAR | PARMRK | ISTRIP);
        t->ControlFlags |= CLOCAL | CREAD;
        t->ControlFlags &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
        t->ControlFlags |= settings.DataBits switch { 5 => CS5, 6 => CS6, 7 => CS7, _ => CS8 };
        switch (settings.Parity)
        {
            case Parity.Odd:
                t->ControlFlags |= PARENB | PARODD;
                t->InputFlags |= INPCK | IGNPAR;
                break;
            case Parity.Even:
                t->ControlFlags |= PARENB;
                t->InputFlags |= INPCK | IGNPAR;
                break;
        }

        if (settings.StopBits == StopBits.Two)
        {
            t->ControlFlags |= CSTOPB;
        }

        if (settings.RtsCts)
        {
            t->ControlFlags |= CRTSCTS;
        }

        if (CfSetInputSpeed(t, speed) != 0 || CfSetOutputSpeed(t, speed) != 0)
        {
            error = $"cfsetispeed/cfsetospeed refused BaudRate {settings.BaudRate}: {Interop.Errors.Describe(Interop.Errors.Last)}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>What a termios says, in <see cref="SerialPortSettings"/> terms.</summary>
    internal static unsafe SerialPortSettings Describe(Termios* t)
    {
        uint c = t->ControlFlags;
        int dataBits = (c & CSIZE) switch { CS5 => 5, CS6 => 6, CS7 => 7, _ => 8 };
        Parity parity = (c & PARENB) == 0 ? Parity.None : (c & PARODD) != 0 ? Parity.Odd : Parity.Even;
        return new SerialPortSettings(
            ToBaudRate(CfGetOutputSpeed(t)),
            dataBits,
            parity,
            (c & CSTOPB) != 0 ? StopBits.Two : StopBits.One,
            (c & CRTSCTS) != 0);
    }

    /// <summary>tcgetattr on <paramref name="handle"/> (a tty, or a pty master for its slave), described as settings.</summary>
    internal static unsafe SerialPortSettings Read(SafeDeviceHandle handle, string device, out bool raw)
    {
        Termios t;
        if (TcGetAttr(handle, &t) != 0)
        {
            throw Interop.Errors.ForSerial(Interop.Errors.Last, device, "tcgetattr");
        }

        raw = IsRaw(&t);
        return Describe(&t);
    }

    /// <summary>True when the termios is in raw mode as <see cref="MakeRaw"/> leaves it.</summary>
    internal static unsafe bool IsRaw(Termios* t) =>
        (t->LocalFlags & (ICANON | ECHO | ECHONL | ISIG | IEXTEN)) == 0
        && (t->OutputFlags & OPOST) == 0
        && (t->InputFlags & (IXON | ICRNL | INLCR | IGNCR | BRKINT)) == 0
        && t->ControlCharacters[VMIN] == 1
        && t->ControlCharacters[VTIME] == 0;

    /// <summary>
    /// tcsetattr succeeds when any one change was applied, so the port is read back: null when it
    /// took everything, else what the driver refused (e.g. a USB adapter without RTS/CTS).
    /// </summary>
    internal static unsafe string? FindMismatch(Termios* actual, SerialPortSettings wanted)
    {
        SerialPortSettings got = Describe(actual);
        if (got.BaudRate != wanted.BaudRate)
        {
            return $"the driver did not accept BaudRate {wanted.BaudRate} (it kept {(got.BaudRate == 0 ? "a non-standard rate" : got.BaudRate.ToString(System.Globalization.CultureInfo.InvariantCulture))})";
        }

        if (got.DataBits != wanted.DataBits || got.Parity != wanted.Parity || got.StopBits != wanted.StopBits)
        {
            return $"the driver did not accept {wanted.DataBits}{wanted.Parity.ToString()[0]}{(int)wanted.StopBits} framing (it kept {got.DataBits}{got.Parity.ToString()[0]}{(int)got.StopBits})";
        }

        if (got.RtsCts != wanted.RtsCts)
        {
            return $"the driver did not {(wanted.RtsCts ? "enable" : "disable")} RTS/CTS flow control (this adapter may not support it)";
        }

        return IsRaw(actual) ? null : "the driver did not accept raw mode";
    }
}

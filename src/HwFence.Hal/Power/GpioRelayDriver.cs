using System.Runtime.InteropServices;

namespace HwFence.Hal.Power;

/// <summary>
/// A relay coil driven by one GPIO output line through libgpiod (1.6 API, Debian libgpiod2). Read-back
/// comes from an optional sense input line wired to the relay's second contact (true verification: the
/// contact really moved); without one, the output line's driven level is read back (proves the chip
/// took the value, not that the contact moved) — hil/README-power.md shows both wirings.
/// </summary>
public sealed class GpioRelayDriver : IRelayDriver
{
    private const string Consumer = "hwfence-fence";
    private readonly SafeGpiodChipHandle _chip;
    private readonly nint _output; // owned by _chip; released with it
    private readonly nint _sense;
    private readonly bool _activeLow;

    private GpioRelayDriver(string name, SafeGpiodChipHandle chip, nint output, nint sense, bool activeLow)
    {
        Name = name;
        _chip = chip;
        _output = output;
        _sense = sense;
        _activeLow = activeLow;
    }

    public string Name { get; }

    /// <summary>
    /// Requests <paramref name="outputOffset"/> on <paramref name="chipPath"/> as an output, initially
    /// de-energized. <paramref name="activeLow"/>: the relay module energizes on a low level (most opto-isolated
    /// modules do). <paramref name="senseOffset"/>: input line reading the contact (high = energized).
    /// </summary>
    public static GpioRelayDriver Open(string chipPath, uint outputOffset, bool activeLow = false, uint? senseOffset = null)
    {
        string name = $"gpio:{chipPath}:{outputOffset}";
        var chip = SafeGpiodChipHandle.Open(chipPath);
        try
        {
            nint output = RequestLine(chip, chipPath, outputOffset, output: true, initial: activeLow ? 1 : 0);
            nint sense = senseOffset is { } s ? RequestLine(chip, chipPath, s, output: false, initial: 0) : 0;
            return new GpioRelayDriver(name, chip, output, sense, activeLow);
        }
        catch
        {
            chip.Dispose();
            throw;
        }
    }

    public void SetEnergized(bool energized)
    {
        ObjectDisposedException.ThrowIf(_chip.IsClosed, this);
        int level = energized ^ _activeLow ? 1 : 0;
        if (Interop.Gpiod.LineSetValue(_output, level) < 0)
        {
            throw Interop.ErrnoToIOException(Name, $"gpiod_line_set_value({level})", Marshal.GetLastPInvokeError());
        }
    }

    public bool ReadEnergized()
    {
        ObjectDisposedException.ThrowIf(_chip.IsClosed, this);
        if (_sense != 0)
        {
            return ReadLevel(_sense, "sense line") == 1;
        }

        return (ReadLevel(_output, "output line") == 1) ^ _activeLow;
    }

    /// <summary>Closing the chip releases the lines; they keep their last level on most chips.</summary>
    public void Dispose() => _chip.Dispose();

    private int ReadLevel(nint line, string what)
    {
        int v = Interop.Gpiod.LineGetValue(line);
        if (v < 0)
        {
            throw Interop.ErrnoToIOException(Name, $"gpiod_line_get_value ({what})", Marshal.GetLastPInvokeError());
        }

        return v;
    }

    private static nint RequestLine(SafeGpiodChipHandle chip, string chipPath, uint offset, bool output, int initial)
    {
        nint line = Interop.Gpiod.ChipGetLine(chip, offset);
        if (line == 0)
        {
            throw Interop.ErrnoToIOException($"gpio:{chipPath}:{offset}", "gpiod_chip_get_line", Marshal.GetLastPInvokeError());
        }

        int rc = output ? Interop.Gpiod.LineRequestOutput(line, Consumer, initial) : Interop.Gpiod.LineRequestInput(line, Consumer);
        if (rc < 0)
        {
            throw Interop.ErrnoToIOException($"gpio:{chipPath}:{offset}", output ? "gpiod_line_request_output" : "gpiod_line_request_input", Marshal.GetLastPInvokeError());
        }

        return line;
    }
}

using System.Runtime.InteropServices;

namespace HwFence.Hal;

/// <summary>An open GPIO chip (libgpiod struct gpiod_chip*); closing it releases its requested lines.</summary>
internal sealed class SafeGpiodChipHandle : SafeHandle
{
    public SafeGpiodChipHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Opens <paramref name="path"/> (/dev/gpiochipN); throws naming the chip, errno and the remedy.</summary>
    public static SafeGpiodChipHandle Open(string path)
    {
        SafeGpiodChipHandle chip;
        try
        {
            chip = Interop.Gpiod.ChipOpen(path);
        }
        catch (DllNotFoundException ex)
        {
            throw new IOException($"{path}: libgpiod ({Interop.Libraries.Gpiod}) is not installed — apt-get install libgpiod2", ex);
        }

        if (chip.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            chip.Dispose();
            throw Interop.ErrnoToIOException(path, "gpiod_chip_open", errno);
        }

        return chip;
    }

    protected override bool ReleaseHandle()
    {
        Interop.Gpiod.ChipClose(handle);
        return true;
    }
}

namespace HwFence.Hal.Power;

/// <summary>
/// One relay coil as the hardware sees it (a GPIO line, one channel of a USB HID relay board). Small
/// on purpose — <see cref="Relay"/> adds wiring, timing and read-back verification once for every
/// driver, and tests substitute this interface (there is no GPIO or USB on CI machines).
/// </summary>
public interface IRelayDriver : IDisposable
{
    /// <summary>The device, e.g. "gpio:/dev/gpiochip0:17" or "usbrelay:16c0:05df/1".</summary>
    string Name { get; }

    /// <summary>Energizes (true) or releases (false) the coil. Throws <see cref="IOException"/> naming the device.</summary>
    void SetEnergized(bool energized);

    /// <summary>Reads the coil's state back from the hardware (board status report, line level or sense input).</summary>
    bool ReadEnergized();
}

namespace HwFence.Hal.Serial;

/// <summary>
/// Checks <see cref="SerialPortSettings"/> before a port is touched. <see cref="TryValidate"/> is the
/// non-throwing core; <see cref="Validate"/> the throwing edge used by the factories.
/// </summary>
public static class SerialPortSettingsValidator
{
    /// <summary>
    /// The rates HwFence supports: 9600 (the slowest line a heartbeat must fit) to 921600 (the
    /// fastest common USB-serial rate), restricted to those with a Linux Bxxxx constant.
    /// </summary>
    public static IReadOnlyList<int> SupportedBaudRates { get; } = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600];

    public static bool TryValidate(SerialPortSettings settings, out string? error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!SupportedBaudRates.Contains(settings.BaudRate))
        {
            error = $"BaudRate {settings.BaudRate} is not supported; use one of {string.Join(", ", SupportedBaudRates)}";
            return false;
        }

        if (settings.DataBits is < 5 or > 8)
        {
            error = $"DataBits {settings.DataBits} is invalid; use 5, 6, 7 or 8 (heartbeat frames need 8)";
            return false;
        }

        if (!Enum.IsDefined(settings.Parity))
        {
            error = $"Parity {(int)settings.Parity} is invalid; use None, Odd or Even";
            return false;
        }

        if (!Enum.IsDefined(settings.StopBits))
        {
            error = $"StopBits {(int)settings.StopBits} is invalid; use One or Two";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the device and the bad field.</summary>
    public static void Validate(string device, SerialPortSettings settings)
    {
        if (!TryValidate(settings, out string? error))
        {
            throw new ArgumentException($"serial {device}: {error}", nameof(settings));
        }
    }
}

namespace HwFence.Hal.Power;

/// <summary>
/// One channel of a "USBRelay" HID relay board (the dcttech / www.dcttech.com V-USB boards, USB ID
/// 16c0:05df, product string "USBRelayN"), driven with HID class requests on endpoint 0 through
/// libusb-1.0 (Device Class Definition for HID 1.11 §7.2):
/// <code>
///  SET_REPORT  bmRequestType 0x21 (host→device, class, interface)  bRequest 0x09
///              wValue 0x0300 (report type 3 = Feature, report id 0)  wIndex 0 (interface)  8 bytes:
///              byte 0  0xFF = channel on, 0xFD = channel off (0xFE / 0xFC: all on / all off)
///              byte 1  channel number, 1-based
///              byte 2-7 zero
///  GET_REPORT  bmRequestType 0xA1 (device→host, class, interface)  bRequest 0x01  wValue 0x0300  8 bytes:
///              byte 0-4 board serial (ASCII)   byte 7  bit (n-1) set = channel n energized
/// </code>
/// </summary>
public sealed class UsbHidRelayDriver : IRelayDriver
{
    /// <summary>V-USB shared vendor id used by these boards.</summary>
    public const ushort DefaultVendorId = 0x16C0;

    /// <summary>V-USB shared HID product id used by these boards.</summary>
    public const ushort DefaultProductId = 0x05DF;

    internal const byte SetReportRequestType = 0x21;
    internal const byte GetReportRequestType = 0xA1;
    internal const byte HidSetReport = 0x09;
    internal const byte HidGetReport = 0x01;
    internal const ushort FeatureReport0 = 0x0300;
    internal const byte CommandOn = 0xFF;
    internal const byte CommandOff = 0xFD;
    internal const int ReportLength = 8;
    internal const int StateByte = 7;
    private const uint TimeoutMs = 1000;

    private readonly SafeLibUsbContextHandle _context;
    private readonly SafeLibUsbDeviceHandle _device;
    private readonly int _channel;

    private UsbHidRelayDriver(string name, SafeLibUsbContextHandle context, SafeLibUsbDeviceHandle device, int channel)
    {
        Name = name;
        _context = context;
        _device = device;
        _channel = channel;
    }

    public string Name { get; }

    /// <summary>Opens the first board with the ids and drives <paramref name="channel"/> (1..8).</summary>
    public static UsbHidRelayDriver Open(int channel, ushort vendorId = DefaultVendorId, ushort productId = DefaultProductId)
    {
        if (channel is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "USB HID relay boards have channels 1..8");
        }

        string name = $"usbrelay:{vendorId:x4}:{productId:x4}/{channel}";
        var context = SafeLibUsbContextHandle.Create();
        try
        {
            var device = SafeLibUsbDeviceHandle.Open(context, vendorId, productId, interfaceNumber: 0, name);
            return new UsbHidRelayDriver(name, context, device, channel);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public unsafe void SetEnergized(bool energized)
    {
        byte* report = stackalloc byte[ReportLength];
        WriteSetReport(new Span<byte>(report, ReportLength), _channel, energized);
        int rc = Interop.LibUsb.ControlTransfer(_device, SetReportRequestType, HidSetReport, FeatureReport0, 0, report, ReportLength, TimeoutMs);
        if (rc < 0)
        {
            throw Interop.LibUsb.ToIOException(Name, "SET_REPORT", rc);
        }
    }

    public unsafe bool ReadEnergized()
    {
        byte* report = stackalloc byte[ReportLength];
        int rc = Interop.LibUsb.ControlTransfer(_device, GetReportRequestType, HidGetReport, FeatureReport0, 0, report, ReportLength, TimeoutMs);
        if (rc < 0)
        {
            throw Interop.LibUsb.ToIOException(Name, "GET_REPORT", rc);
        }

        if (!TryReadChannelState(new ReadOnlySpan<byte>(report, rc), _channel, out bool on))
        {
            throw new IOException($"{Name}: GET_REPORT returned {rc} bytes, expected {ReportLength} — not a USBRelay board?");
        }

        return on;
    }

    public void Dispose()
    {
        _device.Dispose();
        _context.Dispose();
    }

    /// <summary>Builds the 8-byte SET_REPORT feature report for <paramref name="channel"/>.</summary>
    public static void WriteSetReport(Span<byte> report, int channel, bool energized)
    {
        report[..ReportLength].Clear();
        report[0] = energized ? CommandOn : CommandOff;
        report[1] = (byte)channel;
    }

    /// <summary>Reads <paramref name="channel"/>'s bit from a GET_REPORT reply; false when the reply is short.</summary>
    public static bool TryReadChannelState(ReadOnlySpan<byte> report, int channel, out bool energized)
    {
        energized = false;
        if (report.Length < ReportLength)
        {
            return false;
        }

        energized = (report[StateByte] & (1 << (channel - 1))) != 0;
        return true;
    }
}

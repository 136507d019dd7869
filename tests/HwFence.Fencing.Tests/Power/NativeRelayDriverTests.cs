using HwFence.Hal.Power;

namespace HwFence.Fencing.Tests.Power;

/// <summary>
/// The libgpiod and libusb bindings on this machine: the libraries load and answer (tools/setup.sh
/// installs libgpiod2 and libusb-1.0-0), and with no chip or board present the errors name the device.
/// </summary>
public class NativeRelayDriverTests
{
    [Fact]
    public void Gpio_chip_that_does_not_exist_is_a_clear_error()
    {
        var ex = Assert.Throws<IOException>(() => GpioRelayDriver.Open("/dev/hwfence-no-gpiochip", 17));
        Assert.Contains("/dev/hwfence-no-gpiochip", ex.Message);
        Assert.True(ex.Message.Contains("gpiod_chip_open failed", StringComparison.Ordinal)
            || ex.Message.Contains("libgpiod", StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public void Usb_relay_board_that_is_absent_is_a_clear_error()
    {
        // 0xFFFF:0xFFFE is no real device; libusb_init succeeds even without USB buses (or the error says why).
        var ex = Assert.Throws<IOException>(() => UsbHidRelayDriver.Open(1, 0xFFFF, 0xFFFE));
        Assert.True(ex.Message.Contains("no USB device ffff:fffe could be opened", StringComparison.Ordinal)
            || ex.Message.Contains("libusb", StringComparison.Ordinal), ex.Message);
    }

    [Theory]
    [InlineData(1, true, new byte[] { 0xFF, 1, 0, 0, 0, 0, 0, 0 })]
    [InlineData(2, false, new byte[] { 0xFD, 2, 0, 0, 0, 0, 0, 0 })]
    public void Usb_relay_set_report_bytes(int channel, bool on, byte[] expected)
    {
        var report = new byte[8];
        report.AsSpan().Fill(0xAA);
        UsbHidRelayDriver.WriteSetReport(report, channel, on);
        Assert.Equal(expected, report);
    }

    [Fact]
    public void Usb_relay_get_report_state_bits()
    {
        byte[] reply = [(byte)'A', (byte)'B', (byte)'C', (byte)'D', (byte)'E', 0, 0, 0b0000_0101];
        Assert.True(UsbHidRelayDriver.TryReadChannelState(reply, 1, out var on1) && on1);
        Assert.True(UsbHidRelayDriver.TryReadChannelState(reply, 2, out var on2) && !on2);
        Assert.True(UsbHidRelayDriver.TryReadChannelState(reply, 3, out var on3) && on3);
        Assert.False(UsbHidRelayDriver.TryReadChannelState(reply.AsSpan(0, 5), 1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => UsbHidRelayDriver.Open(9));
    }
}

using HwFence.Hal.Serial;

namespace HwFence.Hal.Tests.Serial;

public class SerialPortSettingsValidatorTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.True(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(), out _));

    [Theory]
    [InlineData(9600)]
    [InlineData(115200)]
    [InlineData(921600)]
    public void SupportedRatesAreValid(int baud) => Assert.True(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(BaudRate: baud), out _));

    [Theory]
    [InlineData(4800, "BaudRate 4800 is not supported; use one of 9600, 19200")]
    [InlineData(14400, "BaudRate 14400 is not supported")]
    [InlineData(1000000, "BaudRate 1000000")]
    public void UnsupportedRatesNameTheField(int baud, string message)
    {
        Assert.False(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(BaudRate: baud), out string? error));
        Assert.StartsWith(message, error);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    public void DataBitsOutsideFiveToEight(int bits)
    {
        Assert.False(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(DataBits: bits), out string? error));
        Assert.Contains($"DataBits {bits} is invalid", error);
    }

    [Fact]
    public void UndefinedEnumsAreRejected()
    {
        Assert.False(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(Parity: (Parity)7), out string? parity));
        Assert.Contains("Parity 7", parity);
        Assert.False(SerialPortSettingsValidator.TryValidate(new SerialPortSettings(StopBits: (StopBits)3), out string? stop));
        Assert.Contains("StopBits 3", stop);
    }

    [Fact]
    public void ThrowingEdgeNamesTheDevice()
    {
        var ex = Assert.Throws<ArgumentException>(() => SerialPortSettingsValidator.Validate("/dev/ttyS1", new SerialPortSettings(BaudRate: 300)));
        Assert.StartsWith("serial /dev/ttyS1: BaudRate 300", ex.Message);
    }
}

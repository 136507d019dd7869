using HwFence.Hal.Serial;
using static HwFence.Hal.Interop.Libc;
using static HwFence.Hal.Interop.Libc.TermiosBits;

namespace HwFence.Hal.Tests.Serial;

/// <summary>SerialPortSettings ↔ struct termios, without a device (glibc's cfmakeraw/cfset*speed on a stack struct).</summary>
public class TermiosConfigurationTests
{
    [Fact]
    public unsafe void TermiosLayoutIsGlibcOnLinux()
    {
        Assert.Equal(60, sizeof(Termios));
        Assert.Equal(16, (int)System.Runtime.InteropServices.Marshal.OffsetOf<Termios>(nameof(Termios.LineDiscipline)));
        Assert.Equal(17, (int)System.Runtime.InteropServices.Marshal.OffsetOf<Termios>(nameof(Termios.ControlCharacters)));
        Assert.Equal(52, (int)System.Runtime.InteropServices.Marshal.OffsetOf<Termios>(nameof(Termios.InputSpeed)));
        Assert.Equal(56, (int)System.Runtime.InteropServices.Marshal.OffsetOf<Termios>(nameof(Termios.OutputSpeed)));
    }

    public static TheoryData<int, int, Parity, StopBits, bool> Framings()
    {
        var data = new TheoryData<int, int, Parity, StopBits, bool>();
        foreach (int baud in SerialPortSettingsValidator.SupportedBaudRates)
        {
            data.Add(baud, 8, Parity.None, StopBits.One, false);
        }

        data.Add(19200, 7, Parity.Even, StopBits.One, false);
        data.Add(19200, 7, Parity.Odd, StopBits.Two, true);
        data.Add(9600, 5, Parity.None, StopBits.Two, false);
        data.Add(9600, 6, Parity.Even, StopBits.One, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Framings))]
    public unsafe void SettingsRoundTripThroughTermios(int baud, int bits, Parity parity, StopBits stop, bool rtsCts)
    {
        var settings = new SerialPortSettings(baud, bits, parity, stop, rtsCts);
        Termios t = default;
        t.LocalFlags = ECHO | ICANON | ISIG;
        t.InputFlags = IXON | IXOFF | ICRNL;

        Assert.True(TermiosConfiguration.TryApply(&t, settings, out string? error), error);

        Assert.Equal(settings, TermiosConfiguration.Describe(&t));
        Assert.True(TermiosConfiguration.IsRaw(&t));
        Assert.Null(TermiosConfiguration.FindMismatch(&t, settings));
        Assert.Equal(CLOCAL | CREAD, t.ControlFlags & (CLOCAL | CREAD));
        Assert.Equal(0u, t.InputFlags & (IXON | IXOFF)); // XON/XOFF would eat 0x11/0x13 inside frames
        Assert.Equal(parity != Parity.None, (t.InputFlags & INPCK) != 0);
    }

    [Fact]
    public unsafe void MismatchNamesWhatTheDriverKept()
    {
        Termios t = default;
        Assert.True(TermiosConfiguration.TryApply(&t, new SerialPortSettings(BaudRate: 9600), out _));

        Assert.Contains("BaudRate 115200", TermiosConfiguration.FindMismatch(&t, new SerialPortSettings(BaudRate: 115200)));
        Assert.Contains("RTS/CTS", TermiosConfiguration.FindMismatch(&t, new SerialPortSettings(BaudRate: 9600, RtsCts: true)));
    }
}

using HwFence.Hal.Serial;

namespace HwFence.Hal.Tests.Serial;

/// <summary>The HDB UUCP lock file format and naming (FHS 3.0 §5.9, lockdev).</summary>
public class UucpLockFileTests
{
    [Fact]
    public void PidIsTenRightAlignedAsciiDigitsAndANewline()
    {
        Assert.Equal("      1234\n", UucpLockFile.Format(1234));
        Assert.Equal(11, UucpLockFile.Format(int.MaxValue).Length);
    }

    [Theory]
    [InlineData("      1234\n", true, 1234)]
    [InlineData("1234", true, 1234)]
    [InlineData("", false, 0)]
    [InlineData("garbage\n", false, 0)]
    [InlineData("     -12\n", false, 0)]
    [InlineData("         0\n", false, 0)]
    public void ParsesHdbContent(string content, bool ok, int pid)
    {
        Assert.Equal(ok, UucpLockFile.TryParse(content, out int parsed));
        if (ok)
        {
            Assert.Equal(pid, parsed);
        }
    }

    [Theory]
    [InlineData("/dev/ttyS0", "LCK..ttyS0")]
    [InlineData("/dev/ttyUSB1", "LCK..ttyUSB1")]
    [InlineData("/dev/pts/7", "LCK..pts_7")]
    public void LockNamesFollowLockdev(string device, string name) => Assert.Equal(name, UucpLockFile.LockName(device));
}

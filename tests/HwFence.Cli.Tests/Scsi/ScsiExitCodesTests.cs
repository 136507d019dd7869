using HwFence.Cli.Commands.Scsi;
using HwFence.Hal.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.Sense;

namespace HwFence.Cli.Tests.Scsi;

public sealed class ScsiExitCodesTests
{
    private static ScsiOutcome Outcome(ScsiStatus status, SenseKey? key = null, AdditionalSense? asc = null) =>
        new("emu:x", "TEST UNIT READY", status, key is { } k ? new SenseData(k, asc ?? AdditionalSense.None, false, false, null, null) : null, 0);

    [Theory]
    [InlineData(ScsiStatus.Good, 0)]
    [InlineData(ScsiStatus.ConditionMet, 0)]
    [InlineData(ScsiStatus.ReservationConflict, 24)]
    [InlineData(ScsiStatus.Busy, 26)]
    [InlineData(ScsiStatus.TaskSetFull, 26)]
    [InlineData(ScsiStatus.TaskAborted, 11)]
    [InlineData(ScsiStatus.CheckCondition, 12)]
    public void Status_codes(ScsiStatus status, int expected) => Assert.Equal(expected, ScsiExitCodes.For(Outcome(status)));

    [Theory]
    [InlineData(SenseKey.NotReady, 0x04, 2)]
    [InlineData(SenseKey.MediumError, 0x11, 3)]
    [InlineData(SenseKey.HardwareError, 0x44, 3)]
    [InlineData(SenseKey.IllegalRequest, 0x21, 5)]
    [InlineData(SenseKey.IllegalRequest, 0x20, 9)]
    [InlineData(SenseKey.IllegalRequest, 0x24, 9)]
    [InlineData(SenseKey.UnitAttention, 0x29, 6)]
    [InlineData(SenseKey.DataProtect, 0x27, 7)]
    [InlineData(SenseKey.AbortedCommand, 0x00, 11)]
    [InlineData(SenseKey.Miscompare, 0x1D, 12)]
    public void Check_condition_by_sense(SenseKey key, byte asc, int expected) =>
        Assert.Equal(expected, ScsiExitCodes.For(Outcome(ScsiStatus.CheckCondition, key, new AdditionalSense(asc, 0))));

    [Fact]
    public void Exceptions()
    {
        Assert.Equal(33, ScsiExitCodes.For(new ScsiTransportException("d", ScsiTransportError.Timeout, "t")));
        Assert.Equal(35, ScsiExitCodes.For(new ScsiTransportException("d", ScsiTransportError.PermissionDenied, "p")));
        Assert.Equal(97, ScsiExitCodes.For(new ScsiResponseException("d", "INQUIRY", "bad")));
        Assert.Equal(1, ScsiExitCodes.For(new DeviceAddressFormatException("x", "scheme", "bad")));
        Assert.Equal(24, ScsiExitCodes.For(new ScsiCommandException(Outcome(ScsiStatus.ReservationConflict))));
        Assert.Equal(99, ScsiExitCodes.For(new IOException("other")));
    }
}

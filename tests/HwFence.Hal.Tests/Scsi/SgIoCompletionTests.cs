using HwFence.Hal.Scsi;

namespace HwFence.Hal.Tests.Scsi;

/// <summary>Decoding sg_io_hdr's status, host_status and driver_status (include/scsi/scsi.h).</summary>
public class SgIoCompletionTests
{
    private static Interop.HwFenceNative.SgIoResult Raw(int status = 0, int host = 0, int driver = 0, int sense = 0, int resid = 0) =>
        new() { Status = status, MaskedStatus = (status >> 1) & 0x7f, HostStatus = host, DriverStatus = driver, SenseLength = sense, Residual = resid, DurationMs = 7 };

    [Fact]
    public void GoodWithResidual()
    {
        Assert.True(SgIoCompletion.TryGetResult(Raw(resid: 12), 32, out ScsiCommandResult result, out _, out _));
        Assert.Equal(new ScsiCommandResult(ScsiStatus.Good, 0, 12), result);
        Assert.Equal(24, result.Transferred(36));
    }

    [Fact]
    public void CheckConditionWithSenseIsAResultNotAnError()
    {
        // DRIVER_SENSE (0x08) only says sense bytes are there.
        Assert.True(SgIoCompletion.TryGetResult(Raw(status: 0x02, driver: 0x08, sense: 18), 32, out ScsiCommandResult result, out _, out _));
        Assert.Equal(ScsiStatus.CheckCondition, result.Status);
        Assert.Equal(18, result.SenseLength);
    }

    [Fact]
    public void SenseLengthIsClampedToTheCallersBuffer()
    {
        Assert.True(SgIoCompletion.TryGetResult(Raw(status: 0x02, driver: 0x08, sense: 96), 32, out ScsiCommandResult result, out _, out _));
        Assert.Equal(32, result.SenseLength);
    }

    [Fact]
    public void ReservationConflictReportedWithNexusFailureHostByteIsStillAConflict()
    {
        // Kernels before 5.x set DID_NEXUS_FAILURE alongside RESERVATION CONFLICT; a fenced node must see the conflict.
        Assert.True(SgIoCompletion.TryGetResult(Raw(status: 0x18, host: 0x11), 32, out ScsiCommandResult result, out _, out _));
        Assert.Equal(ScsiStatus.ReservationConflict, result.Status);
    }

    [Theory]
    [InlineData(0x03, 0, ScsiTransportError.Timeout, "DID_TIME_OUT (0x03)")]
    [InlineData(0x05, 0, ScsiTransportError.Aborted, "DID_ABORT (0x05)")]
    [InlineData(0x01, 0, ScsiTransportError.HostStatus, "DID_NO_CONNECT (0x01)")]
    [InlineData(0x0e, 0, ScsiTransportError.HostStatus, "DID_TRANSPORT_DISRUPTED (0x0e)")]
    [InlineData(0x11, 0, ScsiTransportError.HostStatus, "DID_NEXUS_FAILURE (0x11)")]
    [InlineData(0x2a, 0, ScsiTransportError.HostStatus, "host status 0x2a")]
    [InlineData(0, 0x06, ScsiTransportError.Timeout, "DRIVER_TIMEOUT (0x06)")]
    [InlineData(0, 0x27, ScsiTransportError.DriverStatus, "DRIVER_HARD|SUGGEST_ABORT (0x27)")]
    [InlineData(0, 0x04, ScsiTransportError.DriverStatus, "DRIVER_ERROR (0x04)")]
    public void HostAndDriverFailuresAreNamed(int host, int driver, ScsiTransportError expected, string name)
    {
        Assert.False(SgIoCompletion.TryGetResult(Raw(host: host, driver: driver), 32, out _, out ScsiTransportError error, out string? message));
        Assert.Equal(expected, error);
        Assert.Contains(name, message);
    }
}

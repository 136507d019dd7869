using HwFence.Hal.Scsi;
using HwFence.Hal.Serial;

namespace HwFence.Hal.Tests.Scsi;

/// <summary>SG_IO through the real shim and real kernel: every error path a machine without SCSI disks can reach.</summary>
public class SgIoTransportTests
{
    private static readonly byte[] s_testUnitReady = new byte[6];

    [Fact]
    public void NonexistentNodeIsDeviceMissing()
    {
        var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open("/dev/sg-hwfence-does-not-exist"));

        Assert.Equal(ScsiTransportError.DeviceMissing, ex.Error);
        Assert.Equal(Interop.Errors.ENOENT, ex.Errno);
        Assert.StartsWith("device /dev/sg-hwfence-does-not-exist:", ex.Message);
        Assert.Contains("ENOENT", ex.Message);
    }

    [Fact]
    public void SgPrefixedAddressIsAccepted()
    {
        var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open("sg:/dev/sg-hwfence-does-not-exist"));

        Assert.Equal(ScsiTransportError.DeviceMissing, ex.Error);
        Assert.Equal("sg:/dev/sg-hwfence-does-not-exist", ex.Device);
    }

    [Fact]
    public void DevNullIsNotAScsiDevice()
    {
        var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open("/dev/null"));

        Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
        Assert.Equal(Interop.Errors.ENOTTY, ex.Errno);
        Assert.Contains("SG_GET_VERSION_NUM", ex.Message);
        Assert.Contains("lsscsi -g", ex.Message);
    }

    [Fact]
    public void RegularFileIsNotAScsiDevice()
    {
        string file = Path.GetTempFileName();
        try
        {
            var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open(file));
            Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void DirectoryIsNotAScsiDevice()
    {
        var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open("/tmp"));

        Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
        Assert.Equal(Interop.Errors.EISDIR, ex.Errno);
    }

    [Fact]
    public void PseudoTerminalIsNotAScsiDevice()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();

        var ex = Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open(pty.SlavePath));

        Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("regular-file")]
    [InlineData("pty")]
    public async Task SgIoIoctlOnANonScsiDescriptorIsNotScsiDevice(string kind)
    {
        // Skip Open's SG_GET_VERSION_NUM probe so the SG_IO ioctl itself meets the non-SCSI fd.
        using PseudoTerminal pty = PseudoTerminal.Open();
        string path = kind switch
        {
            "pty" => pty.SlavePath,
            "regular-file" => Path.GetTempFileName(),
            _ => kind,
        };
        try
        {
            SafeDeviceHandle handle = SafeDeviceHandle.Open(path, Interop.Libc.OpenFlags.O_RDWR | Interop.Libc.OpenFlags.O_NOCTTY | Interop.Libc.OpenFlags.O_NONBLOCK, out int errno);
            Assert.False(handle.IsInvalid, $"open {path}: errno {errno}");
            await using SgIoTransport transport = SgIoTransport.FromHandleUnchecked(handle, path);

            var ex = await Assert.ThrowsAsync<ScsiTransportException>(async () =>
                await transport.ExecuteAsync(s_testUnitReady, DataDirection.None, Memory<byte>.Empty, new byte[32], TimeSpan.FromSeconds(5)));

            Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
            Assert.Contains("SG_IO opcode 0x00", ex.Message);
            Assert.Contains(Interop.Errors.Name(ex.Errno), ex.Message);
        }
        finally
        {
            if (kind == "regular-file")
            {
                File.Delete(path);
            }
        }
    }

    [Theory]
    [InlineData("/dev/null", false)]
    [InlineData("pty", true)]
    public async Task ResetOnANonScsiDescriptorIsNotScsiDeviceNamingTheReset(string kind, bool target)
    {
        // The ioctl really reaches the kernel: /dev/null and a pty answer SG_SCSI_RESET with ENOTTY.
        using PseudoTerminal pty = PseudoTerminal.Open();
        string path = kind == "pty" ? pty.SlavePath : kind;
        SafeDeviceHandle handle = SafeDeviceHandle.Open(path, Interop.Libc.OpenFlags.O_RDWR | Interop.Libc.OpenFlags.O_NOCTTY | Interop.Libc.OpenFlags.O_NONBLOCK, out int errno);
        Assert.False(handle.IsInvalid, $"open {path}: errno {errno}");
        await using SgIoTransport transport = SgIoTransport.FromHandleUnchecked(handle, path);
        IScsiTaskManagement tmf = transport;

        var ex = await Assert.ThrowsAsync<ScsiTransportException>(() => target ? tmf.TargetResetAsync() : tmf.LogicalUnitResetAsync());

        Assert.Equal(ScsiTransportError.NotScsiDevice, ex.Error);
        Assert.Equal(Interop.Errors.ENOTTY, ex.Errno);
        Assert.Contains($"device {path}: ioctl(SG_SCSI_RESET, {(target ? "TARGET RESET" : "LOGICAL UNIT RESET")}) failed: ENOTTY", ex.Message);
    }

    [Fact]
    public async Task ResetAfterDisposeAndWithACancelledTokenNeverReachesTheDevice()
    {
        SafeDeviceHandle handle = SafeDeviceHandle.Open("/dev/null", Interop.Libc.OpenFlags.O_RDWR, out _);
        SgIoTransport transport = SgIoTransport.FromHandleUnchecked(handle, "/dev/null");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.LogicalUnitResetAsync(new CancellationToken(canceled: true)));

        await transport.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => transport.TargetResetAsync());
    }

    [Theory]
    [InlineData(Interop.Errors.EACCES, ScsiTransportError.PermissionDenied, "CAP_SYS_ADMIN and CAP_SYS_RAWIO")]
    [InlineData(Interop.Errors.EIO, ScsiTransportError.NotSupported, "did not complete the LOGICAL UNIT RESET")]
    [InlineData(Interop.Errors.EINVAL, ScsiTransportError.NotSupported, "Linux 3.19")]
    [InlineData(Interop.Errors.EBUSY, ScsiTransportError.Other, "error recovery")]
    [InlineData(Interop.Errors.ENODEV, ScsiTransportError.DeviceMissing, "removed")]
    [InlineData(Interop.Errors.ENOTTY, ScsiTransportError.NotScsiDevice, "not a SCSI device")]
    public void ResetErrnoMapsToTransportError(int errno, ScsiTransportError expected, string remedy)
    {
        // NotSupported is what Spc2ReserveFenceDevice falls back from (LU reset → target reset).
        ScsiTransportException ex = Interop.Errors.ForScsiReset(errno, "/dev/sg9", "LOGICAL UNIT RESET");

        Assert.Equal(expected, ex.Error);
        Assert.Equal(errno, ex.Errno);
        Assert.StartsWith("device /dev/sg9: ioctl(SG_SCSI_RESET, LOGICAL UNIT RESET) failed: " + Interop.Errors.Name(errno), ex.Message);
        Assert.Contains(remedy, ex.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void UnreadableNodeIsPermissionDenied()
    {
        // Root passes every permission check, so a root test drops to uid nobody for file-system
        // checks on one dedicated thread (setfsuid); a non-root test just meets a mode-000 file.
        string file = Path.GetTempFileName();
        try
        {
            File.SetUnixFileMode(file, TestSupport.IsRoot ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.None);
            ScsiTransportException ex = TestSupport.IsRoot
                ? TestSupport.RunAsNobody(() => Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open(file)))
                : Assert.Throws<ScsiTransportException>(() => SgIoTransport.Open(file));

            Assert.Equal(ScsiTransportError.PermissionDenied, ex.Error);
            Assert.Equal(Interop.Errors.EACCES, ex.Errno);
            Assert.Contains("CAP_SYS_RAWIO", ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task CancelledTokenDoesNotReachTheDevice()
    {
        SafeDeviceHandle handle = SafeDeviceHandle.Open("/dev/null", Interop.Libc.OpenFlags.O_RDWR, out _);
        await using SgIoTransport transport = SgIoTransport.FromHandleUnchecked(handle, "/dev/null");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await transport.ExecuteAsync(s_testUnitReady, DataDirection.None, Memory<byte>.Empty, Memory<byte>.Empty, TimeSpan.FromSeconds(1), new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(253)]
    public async Task BadCdbLengthIsRejectedBeforeTheIoctl(int length)
    {
        SafeDeviceHandle handle = SafeDeviceHandle.Open("/dev/null", Interop.Libc.OpenFlags.O_RDWR, out _);
        await using SgIoTransport transport = SgIoTransport.FromHandleUnchecked(handle, "/dev/null");

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await transport.ExecuteAsync(new byte[length], DataDirection.None, Memory<byte>.Empty, Memory<byte>.Empty, TimeSpan.FromSeconds(1)));
        Assert.Contains($"CDB length {length}", ex.Message);
    }

    [Theory]
    [InlineData(Interop.Errors.EPERM, ScsiTransportError.PermissionDenied)]
    [InlineData(Interop.Errors.EACCES, ScsiTransportError.PermissionDenied)]
    [InlineData(Interop.Errors.ENOENT, ScsiTransportError.DeviceMissing)]
    [InlineData(Interop.Errors.ENODEV, ScsiTransportError.DeviceMissing)]
    [InlineData(Interop.Errors.ENXIO, ScsiTransportError.DeviceMissing)]
    [InlineData(Interop.Errors.ENOTTY, ScsiTransportError.NotScsiDevice)]
    [InlineData(Interop.Errors.ETIMEDOUT, ScsiTransportError.Timeout)]
    [InlineData(Interop.Errors.EIO, ScsiTransportError.ConnectionLost)]
    [InlineData(Interop.Errors.ENOMEM, ScsiTransportError.Other)]
    public void ErrnoMapsToTransportError(int errno, ScsiTransportError expected)
    {
        ScsiTransportException ex = Interop.Errors.ForScsi(errno, "/dev/sg9", "SG_IO opcode 0x5f");

        Assert.Equal(expected, ex.Error);
        Assert.Equal(errno, ex.Errno);
        Assert.StartsWith("device /dev/sg9: SG_IO opcode 0x5f failed: " + Interop.Errors.Name(errno), ex.Message);
    }

    [Fact]
    public void EinvalIsNotScsiUntilTheDeviceProvedItselfThenARejectedRequest()
    {
        Assert.Equal(ScsiTransportError.NotScsiDevice, Interop.Errors.ForScsi(Interop.Errors.EINVAL, "/dev/x", "SG_IO").Error);

        ScsiTransportException verified = Interop.Errors.ForScsi(Interop.Errors.EINVAL, "/dev/sg1", "SG_IO", verifiedScsi: true);
        Assert.Equal(ScsiTransportError.Other, verified.Error);
        Assert.Contains("transfer length", verified.Message);
    }
}

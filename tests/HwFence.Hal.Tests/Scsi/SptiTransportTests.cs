using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HwFence.Hal.Scsi;
using static HwFence.Hal.Interop.Kernel32;

namespace HwFence.Hal.Tests.Scsi;

/// <summary>
/// SCSI_PASS_THROUGH_DIRECT's x64 layout (ntddscsi.h, learn.microsoft.com ns-ntddscsi-_scsi_pass_through_direct:
/// USHORT Length; UCHAR ScsiStatus, PathId, TargetId, Lun, CdbLength, SenseInfoLength, DataIn;
/// ULONG DataTransferLength, TimeOutValue; PVOID DataBuffer; ULONG SenseInfoOffset; UCHAR Cdb[16]),
/// request filling and completion decoding — all checkable without Windows.
/// </summary>
public class SptiTransportTests
{
    [Fact]
    public void StructSizeIsTheDocumentedX64Size()
    {
        Assert.Equal(56, Unsafe.SizeOf<ScsiPassThroughDirect>());
        Assert.Equal(56, Marshal.SizeOf<ScsiPassThroughDirect>());
    }

    [Theory]
    [InlineData(nameof(ScsiPassThroughDirect.Length), 0)]
    [InlineData(nameof(ScsiPassThroughDirect.ScsiStatus), 2)]
    [InlineData(nameof(ScsiPassThroughDirect.PathId), 3)]
    [InlineData(nameof(ScsiPassThroughDirect.TargetId), 4)]
    [InlineData(nameof(ScsiPassThroughDirect.Lun), 5)]
    [InlineData(nameof(ScsiPassThroughDirect.CdbLength), 6)]
    [InlineData(nameof(ScsiPassThroughDirect.SenseInfoLength), 7)]
    [InlineData(nameof(ScsiPassThroughDirect.DataIn), 8)]
    [InlineData(nameof(ScsiPassThroughDirect.DataTransferLength), 12)]
    [InlineData(nameof(ScsiPassThroughDirect.TimeOutValue), 16)]
    [InlineData(nameof(ScsiPassThroughDirect.DataBuffer), 24)]
    [InlineData(nameof(ScsiPassThroughDirect.SenseInfoOffset), 32)]
    [InlineData(nameof(ScsiPassThroughDirect.Cdb), 36)]
    public void FieldOffsetsAreTheDocumentedX64Offsets(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<ScsiPassThroughDirect>(field));

    [Fact]
    public void CdbEndsAt52AndTailPaddingRoundsTo56() =>
        // Cdb[16] ends at 52; 4 bytes of tail padding make the size a multiple of the PVOID alignment (8).
        Assert.Equal(52, (int)Marshal.OffsetOf<ScsiPassThroughDirect>(nameof(ScsiPassThroughDirect.Cdb)) + 16);

    [Fact]
    public void SenseBufferFollowsTheHeaderAsInMicrosoftsSample()
    {
        Assert.Equal(312, Unsafe.SizeOf<ScsiPassThroughDirectWithSense>());
        Assert.Equal(0, (int)Marshal.OffsetOf<ScsiPassThroughDirectWithSense>(nameof(ScsiPassThroughDirectWithSense.Header)));
        Assert.Equal(56, (int)Marshal.OffsetOf<ScsiPassThroughDirectWithSense>(nameof(ScsiPassThroughDirectWithSense.Filler)));
        Assert.Equal(60, (int)Marshal.OffsetOf<ScsiPassThroughDirectWithSense>(nameof(ScsiPassThroughDirectWithSense.Sense)));
        Assert.Equal(ScsiPassThroughDirectWithSense.SenseOffset, (int)Marshal.OffsetOf<ScsiPassThroughDirectWithSense>(nameof(ScsiPassThroughDirectWithSense.Sense)));
    }

    [Fact]
    public void IoctlCodeIsCtlCodeOfScsiBase0x405Buffered()
    {
        // CTL_CODE(DeviceType, Function, Method, Access) = (DeviceType << 16) | (Access << 14) | (Function << 2) | Method
        const uint expected = (0x4u << 16) | (0x3u << 14) | (0x405u << 2) | 0u;
        Assert.Equal(expected, IOCTL_SCSI_PASS_THROUGH_DIRECT);
    }

    [Fact]
    public unsafe void PrepareFillsAReadRequest()
    {
        byte[] cdb = [0x5e, 0x00, 0, 0, 0, 0, 0, 0x20, 0x00, 0]; // PERSISTENT RESERVE IN, READ KEYS, 8192 bytes
        byte[] data = new byte[8192];
        ScsiPassThroughDirectWithSense request;
        fixed (byte* p = data)
        {
            Assert.True(SptiTransport.TryPrepare(&request, cdb, DataDirection.FromDevice, p, data.Length, TimeSpan.FromMilliseconds(2500), out string? error), error);
            Assert.Equal((nint)p, request.Header.DataBuffer);
        }

        Assert.Equal(56, request.Header.Length);
        Assert.Equal(10, request.Header.CdbLength);
        Assert.Equal(SCSI_IOCTL_DATA_IN, request.Header.DataIn);
        Assert.Equal(8192u, request.Header.DataTransferLength);
        Assert.Equal(3u, request.Header.TimeOutValue); // whole seconds, rounded up
        Assert.Equal(60u, request.Header.SenseInfoOffset);
        Assert.Equal(252, request.Header.SenseInfoLength);
        Assert.Equal(cdb, new ReadOnlySpan<byte>(request.Header.Cdb, 10).ToArray());
        Assert.Equal(0, request.Header.Cdb[10]);
    }

    [Theory]
    [InlineData(DataDirection.ToDevice, 24, SCSI_IOCTL_DATA_OUT)]
    [InlineData(DataDirection.None, 0, SCSI_IOCTL_DATA_UNSPECIFIED)]
    [InlineData(DataDirection.FromDevice, 0, SCSI_IOCTL_DATA_UNSPECIFIED)]
    public unsafe void PrepareMapsDirections(DataDirection direction, int length, byte expected)
    {
        byte[] data = new byte[Math.Max(length, 1)];
        ScsiPassThroughDirectWithSense request;
        fixed (byte* p = data)
        {
            Assert.True(SptiTransport.TryPrepare(&request, new byte[10], direction, p, length, TimeSpan.FromSeconds(1), out _));
        }

        Assert.Equal(expected, request.Header.DataIn);
        Assert.Equal(expected == SCSI_IOCTL_DATA_UNSPECIFIED ? 0u : (uint)length, request.Header.DataTransferLength);
        Assert.Equal(expected == SCSI_IOCTL_DATA_UNSPECIFIED, request.Header.DataBuffer == 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public unsafe void PrepareRejectsCdbsThatDoNotFit(int length)
    {
        ScsiPassThroughDirectWithSense request;
        Assert.False(SptiTransport.TryPrepare(&request, new byte[length], DataDirection.None, null, 0, TimeSpan.FromSeconds(1), out string? error));
        Assert.Contains($"CDB length {length}", error);
    }

    [Fact]
    public unsafe void CompleteReportsUnderrunAndSenseByItsOwnLength()
    {
        ScsiPassThroughDirectWithSense request;
        byte[] data = new byte[512];
        fixed (byte* p = data)
        {
            Assert.True(SptiTransport.TryPrepare(&request, new byte[10], DataDirection.FromDevice, p, 512, TimeSpan.FromSeconds(1), out _));
        }

        // The port driver's answer: CHECK CONDITION, 200 bytes moved, fixed-format sense with 10 additional bytes.
        request.Header.ScsiStatus = (byte)ScsiStatus.CheckCondition;
        request.Header.DataTransferLength = 200;
        request.Sense[0] = 0x70;
        request.Sense[2] = 0x06; // UNIT ATTENTION
        request.Sense[7] = 10;
        request.Sense[12] = 0x2a;
        request.Sense[13] = 0x03; // RESERVATIONS PREEMPTED

        byte[] sense = new byte[64];
        ScsiCommandResult result = SptiTransport.Complete(&request, 512, sense);

        Assert.Equal(ScsiStatus.CheckCondition, result.Status);
        Assert.Equal(312, result.Residual);
        Assert.Equal(18, result.SenseLength);
        Assert.Equal(0x2a, sense[12]);
        Assert.Equal(0x03, sense[13]);
    }

    [Fact]
    public unsafe void CompleteGoodHasNoSense()
    {
        ScsiPassThroughDirectWithSense request;
        Assert.True(SptiTransport.TryPrepare(&request, new byte[6], DataDirection.None, null, 0, TimeSpan.FromSeconds(1), out _));
        request.Sense[0] = 0x70; // stale bytes must not leak through on GOOD

        ScsiCommandResult result = SptiTransport.Complete(&request, 0, new byte[32]);

        Assert.Equal(new ScsiCommandResult(ScsiStatus.Good, 0, 0), result);
    }

    [Fact]
    public void OpenOnLinuxIsNotSupportedWithARemedy()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // this checks the non-Windows path
        }

        var ex = Assert.Throws<ScsiTransportException>(() => SptiTransport.Open(@"\\.\PhysicalDrive1"));

        Assert.Equal(ScsiTransportError.NotSupported, ex.Error);
        Assert.Contains("/dev/sg", ex.Message);
    }

    [Fact]
    public void Win32ErrorsMapToTransportErrors()
    {
        Assert.Equal(ScsiTransportError.DeviceMissing, Errors.ForScsi(Errors.ERROR_FILE_NOT_FOUND, @"\\.\PhysicalDrive9", "CreateFile").Error);
        Assert.Equal(ScsiTransportError.PermissionDenied, Errors.ForScsi(Errors.ERROR_ACCESS_DENIED, @"\\.\PhysicalDrive9", "CreateFile").Error);
        Assert.Equal(ScsiTransportError.NotScsiDevice, Errors.ForScsi(Errors.ERROR_INVALID_FUNCTION, @"\\.\PhysicalDrive9", "DeviceIoControl").Error);
        Assert.Equal(ScsiTransportError.Timeout, Errors.ForScsi(Errors.ERROR_SEM_TIMEOUT, @"\\.\PhysicalDrive9", "DeviceIoControl").Error);
        Assert.Contains("Administrator", Errors.ForScsi(Errors.ERROR_ACCESS_DENIED, @"\\.\PhysicalDrive9", "CreateFile").Message);
    }
}

using Microsoft.Win32.SafeHandles;
using static HwFence.Hal.Interop.Kernel32;

namespace HwFence.Hal.Scsi;

/// <summary>
/// Windows SCSI pass-through: IOCTL_SCSI_PASS_THROUGH_DIRECT through DeviceIoControl on
/// <c>\\.\PhysicalDriveN</c>. Compiled on every platform; on anything but 64-bit Windows
/// <see cref="Open"/> throws <see cref="ScsiTransportError.NotSupported"/>. The request block lives on
/// the stack and the caller's buffers are pinned (DIRECT: the port driver DMAs straight into them), so
/// a command allocates nothing.
/// </summary>
/// <remarks>
/// Data buffers must meet the adapter's AlignmentMask (IOCTL_SCSI_GET_CAPABILITIES); managed arrays
/// are 8-byte aligned, which every adapter HwFence targets accepts. TimeOutValue is in whole seconds.
/// </remarks>
public sealed class SptiTransport : PassThroughTransport
{
    private readonly SafeFileHandle _handle;

    private SptiTransport(SafeFileHandle handle, string address)
        : base(address)
    {
        _handle = handle;
    }

    /// <summary>Opens <c>\\.\PhysicalDriveN</c> for pass-through (needs an elevated process).</summary>
    public static SptiTransport Open(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!OperatingSystem.IsWindows())
        {
            throw new ScsiTransportException(address, ScsiTransportError.NotSupported,
                "SCSI pass-through via IOCTL_SCSI_PASS_THROUGH_DIRECT exists only on Windows; on Linux use /dev/sgN or /dev/sdX (SG_IO), anywhere iscsi://");
        }

        if (!Environment.Is64BitProcess)
        {
            throw new ScsiTransportException(address, ScsiTransportError.NotSupported,
                "SPTI is implemented for 64-bit processes only (the SCSI_PASS_THROUGH_DIRECT layout differs in 32-bit ones); run the x64 or arm64 build");
        }

        SafeFileHandle handle = CreateFile(address, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, 0, OPEN_EXISTING, 0, 0);
        if (handle.IsInvalid)
        {
            int error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Errors.ForScsi(error, address, "CreateFile");
        }

        return new SptiTransport(handle, address);
    }

    /// <summary>One DeviceIoControl: blocks the calling thread until the command completes.</summary>
    public override unsafe ScsiCommandResult Execute(ReadOnlySpan<byte> cdb, DataDirection direction, Span<byte> data, Span<byte> sense, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (!OperatingSystem.IsWindows())
        {
            throw new ScsiTransportException(Address, ScsiTransportError.NotSupported, "SPTI exists only on Windows");
        }

        ScsiPassThroughDirectWithSense request;
        fixed (byte* dataPtr = data)
        {
            int dataLength = direction == DataDirection.None ? 0 : data.Length;
            if (!TryPrepare(&request, cdb, direction, dataPtr, dataLength, timeout, out string? error))
            {
                throw new ArgumentException($"device {Address}: {error}");
            }

            uint returned;
            uint size = (uint)sizeof(ScsiPassThroughDirectWithSense);
            if (!DeviceIoControl(_handle, IOCTL_SCSI_PASS_THROUGH_DIRECT, &request, size, &request, size, &returned, 0))
            {
                throw Errors.ForScsi(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), Address,
                    $"DeviceIoControl(IOCTL_SCSI_PASS_THROUGH_DIRECT, opcode 0x{cdb[0]:x2})");
            }

            return Complete(&request, dataLength, sense);
        }
    }

    /// <summary>
    /// Fills the request block (pure: unit-tested on every OS). False with a message when the CDB,
    /// transfer length or timeout cannot be expressed in SCSI_PASS_THROUGH_DIRECT.
    /// </summary>
    internal static unsafe bool TryPrepare(
        ScsiPassThroughDirectWithSense* request,
        ReadOnlySpan<byte> cdb,
        DataDirection direction,
        byte* data,
        int dataLength,
        TimeSpan timeout,
        out string? error)
    {
        *request = default;
        if (cdb.Length is < 1 or > 16)
        {
            error = $"CDB length {cdb.Length} is outside 1–16, the most SCSI_PASS_THROUGH_DIRECT carries";
            return false;
        }

        if (dataLength < 0 || (dataLength > 0 && data == null))
        {
            error = $"data length {dataLength} is invalid";
            return false;
        }

        if (timeout <= TimeSpan.Zero || timeout.TotalSeconds > uint.MaxValue)
        {
            error = $"timeout {timeout} must be positive";
            return false;
        }

        ScsiPassThroughDirect* h = &request->Header;
        h->Length = (ushort)sizeof(ScsiPassThroughDirect);
        h->CdbLength = (byte)cdb.Length;
        h->SenseInfoLength = ScsiPassThroughDirectWithSense.SenseCapacity;
        h->SenseInfoOffset = ScsiPassThroughDirectWithSense.SenseOffset;
        h->DataIn = dataLength == 0 ? SCSI_IOCTL_DATA_UNSPECIFIED
            : direction switch
            {
                DataDirection.FromDevice => SCSI_IOCTL_DATA_IN,
                DataDirection.ToDevice => SCSI_IOCTL_DATA_OUT,
                _ => SCSI_IOCTL_DATA_UNSPECIFIED,
            };
        h->DataTransferLength = h->DataIn == SCSI_IOCTL_DATA_UNSPECIFIED ? 0u : (uint)dataLength;
        h->DataBuffer = h->DataIn == SCSI_IOCTL_DATA_UNSPECIFIED ? 0 : (nint)data;
        h->TimeOutValue = (uint)Math.Ceiling(timeout.TotalSeconds); // whole seconds, at least 1
        cdb.CopyTo(new Span<byte>(h->Cdb, 16));
        error = null;
        return true;
    }

    /// <summary>
    /// Reads the completed request block: status, residual (the port driver lowers
    /// DataTransferLength on an underrun) and the sense bytes, whose valid length comes from the
    /// sense data itself (SPC-4 §4.5: 8 + ADDITIONAL SENSE LENGTH) because drivers differ in whether
    /// they update SenseInfoLength.
    /// </summary>
    internal static unsafe ScsiCommandResult Complete(ScsiPassThroughDirectWithSense* request, int requestedLength, Span<byte> sense)
    {
        ScsiPassThroughDirect* h = &request->Header;
        var status = (ScsiStatus)h->ScsiStatus;
        int residual = h->DataIn == SCSI_IOCTL_DATA_UNSPECIFIED ? 0 : Math.Max(0, requestedLength - (int)Math.Min(h->DataTransferLength, (uint)requestedLength));

        int senseLength = 0;
        if (status != ScsiStatus.Good)
        {
            var raw = new ReadOnlySpan<byte>(request->Sense, ScsiPassThroughDirectWithSense.SenseCapacity);
            int available = Math.Min((int)h->SenseInfoLength, raw.Length);
            int responseCode = raw[0] & 0x7f;
            if (available >= 8 && responseCode is >= 0x70 and <= 0x73)
            {
                available = Math.Min(available, 8 + raw[7]);
            }

            senseLength = Math.Min(available, sense.Length);
            raw[..senseLength].CopyTo(sense);
        }

        return new ScsiCommandResult(status, senseLength, residual);
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}

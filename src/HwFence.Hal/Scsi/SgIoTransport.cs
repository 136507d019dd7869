using static HwFence.Hal.Interop.Libc.OpenFlags;

namespace HwFence.Hal.Scsi;

/// <summary>
/// Linux SCSI pass-through: ioctl(SG_IO) on /dev/sg* or /dev/sd* through the native shim
/// (native/src/pal_sgio.c). SG_IO blocks until the device answers, so <see cref="ExecuteAsync"/>
/// completes synchronously; it pins the caller's buffers and keeps the sg_io_hdr result on the
/// stack, so a command allocates nothing.
/// </summary>
/// <remarks>
/// Addresses: <c>/dev/sg3</c>, <c>sg:/dev/sg3</c>, <c>/dev/sdb</c>. The node is opened the way
/// sg3_utils does (O_RDWR | O_NONBLOCK: no wait for removable media, writable so PR OUT and
/// RESERVE are allowed) plus O_CLOEXEC. Non-root callers need CAP_SYS_RAWIO for commands the block
/// layer does not consider safe (PERSISTENT RESERVE OUT, RESERVE(6)).
/// </remarks>
public sealed class SgIoTransport : PassThroughTransport, IScsiTaskManagement
{
    /// <summary>sg driver 3.0 introduced sg_io_hdr (the v3 interface); anything older cannot do SG_IO.</summary>
    internal const int MinimumSgVersion = 30000;

    /// <summary>SG_IO's cmd_len is a byte; SPC CDBs are 6–16 bytes, variable-length ones up to 260 (sg caps at 252).</summary>
    internal const int MaxCdbLength = 252;

    private readonly SafeDeviceHandle _handle;
    private readonly bool _verifiedScsi;

    private SgIoTransport(SafeDeviceHandle handle, string address, string path, int sgVersion, bool verifiedScsi)
        : base(address)
    {
        _handle = handle;
        DevicePath = path;
        SgDriverVersion = sgVersion;
        _verifiedScsi = verifiedScsi;
    }

    /// <summary>The device node, without an <c>sg:</c> prefix.</summary>
    public string DevicePath { get; }

    /// <summary>SG_GET_VERSION_NUM, e.g. 30536 for sg 3.5.36 (0 if the transport was made without the probe).</summary>
    public int SgDriverVersion { get; }

    /// <summary>
    /// Opens <paramref name="address"/> and checks that it accepts SG_IO. Throws
    /// <see cref="ScsiTransportException"/>: <see cref="ScsiTransportError.ShimMissing"/> (native shim
    /// not built), <see cref="ScsiTransportError.DeviceMissing"/>,
    /// <see cref="ScsiTransportError.PermissionDenied"/>, <see cref="ScsiTransportError.NotScsiDevice"/>,
    /// <see cref="ScsiTransportError.NotSupported"/> (not Linux).
    /// </summary>
    public static unsafe SgIoTransport Open(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        string path = address.StartsWith("sg:", StringComparison.Ordinal) ? address[3..] : address;

        if (!OperatingSystem.IsLinux())
        {
            throw new ScsiTransportException(address, ScsiTransportError.NotSupported,
                "SG_IO exists only on Linux; on Windows use \\\\.\\PhysicalDriveN (SPTI), anywhere use iscsi://");
        }

        EnsureShim(address);

        SafeDeviceHandle handle = SafeDeviceHandle.Open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC, out int errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw Interop.Errors.ForScsi(errno, address, $"open({path}, O_RDWR|O_NONBLOCK)");
        }

        int version;
        if (Interop.HwFenceNative.GetSgVersion(handle, &version) < 0)
        {
            errno = Interop.Errors.Last;
            handle.Dispose();
            throw Interop.Errors.ForScsi(errno, address, "ioctl(SG_GET_VERSION_NUM)");
        }

        if (version < MinimumSgVersion)
        {
            handle.Dispose();
            throw new ScsiTransportException(address, ScsiTransportError.NotScsiDevice,
                $"the sg driver is version {version}, SG_IO needs 3.0 (30000) or later — upgrade the kernel");
        }

        return new SgIoTransport(handle, address, path, version, verifiedScsi: true);
    }

    /// <summary>
    /// Wraps an already open fd without the SG_GET_VERSION_NUM probe, so tests can drive SG_IO's own
    /// error paths (a pty, /dev/null, a regular file) through <see cref="ExecuteAsync"/>.
    /// </summary>
    internal static SgIoTransport FromHandleUnchecked(SafeDeviceHandle handle, string address)
    {
        EnsureShim(address);
        return new SgIoTransport(handle, address, address, 0, verifiedScsi: false);
    }

    private static void EnsureShim(string address)
    {
        if (!Interop.NativeLibraryResolver.TryLoadShim(out _, out string? error))
        {
            throw new ScsiTransportException(address, ScsiTransportError.ShimMissing, error!);
        }
    }

    /// <summary>One ioctl(SG_IO): blocks the calling thread until the device answers or the timeout expires.</summary>
    public override unsafe ScsiCommandResult Execute(
        ReadOnlySpan<byte> cdb,
        DataDirection direction,
        Span<byte> data,
        Span<byte> sense,
        TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (cdb.Length is < 1 or > MaxCdbLength)
        {
            throw new ArgumentException($"device {Address}: CDB length {cdb.Length} is outside 1–{MaxCdbLength}", nameof(cdb));
        }

        if (direction is not (DataDirection.None or DataDirection.FromDevice or DataDirection.ToDevice))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, $"device {Address}: unknown data direction");
        }

        if (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"device {Address}: the SG_IO timeout must be between 1 ms and 24 days");
        }

        int dataLength = direction == DataDirection.None ? 0 : data.Length;
        int senseCapacity = Math.Min(sense.Length, byte.MaxValue); // mx_sb_len is a byte
        int timeoutMs = (int)Math.Ceiling(timeout.TotalMilliseconds);

        Interop.HwFenceNative.SgIoResult raw;
        int rc;
        fixed (byte* cdbPtr = cdb)
        fixed (byte* dataPtr = data)
        fixed (byte* sensePtr = sense)
        {
            rc = Interop.HwFenceNative.SgIo(_handle, cdbPtr, cdb.Length, (int)direction, dataPtr, dataLength, sensePtr, senseCapacity, timeoutMs, &raw);
        }

        if (rc < 0)
        {
            throw Interop.Errors.ForScsi(Interop.Errors.Last, Address, $"SG_IO {OperationName(cdb[0])}", _verifiedScsi);
        }

        if (!SgIoCompletion.TryGetResult(raw, senseCapacity, out ScsiCommandResult result, out ScsiTransportError error, out string? message))
        {
            throw new ScsiTransportException(Address, error, $"SG_IO {OperationName(cdb[0])}: {message}");
        }

        return result;
    }

    /// <summary>
    /// LOGICAL UNIT RESET through ioctl(SG_SCSI_RESET, SG_SCSI_RESET_DEVICE | NO_ESCALATE): the
    /// mid-level's error handler has the low-level driver send the function (iscsi_tcp: a Task
    /// Management Function Request; a SAS HBA: its TMF) and waits for it. Blocks the calling thread;
    /// never escalates to a bus or host reset, which would hit every device on the adapter.
    /// </summary>
    public Task LogicalUnitResetAsync(CancellationToken cancellationToken = default) =>
        Reset(Interop.HwFenceNative.SgResetKind.Device, "LOGICAL UNIT RESET", cancellationToken);

    /// <summary>TARGET RESET through ioctl(SG_SCSI_RESET, SG_SCSI_RESET_TARGET | NO_ESCALATE); see <see cref="LogicalUnitResetAsync"/>.</summary>
    public Task TargetResetAsync(CancellationToken cancellationToken = default) =>
        Reset(Interop.HwFenceNative.SgResetKind.Target, "TARGET RESET", cancellationToken);

    private Task Reset(Interop.HwFenceNative.SgResetKind kind, string name, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interop.HwFenceNative.SgReset(_handle, (int)kind) < 0)
        {
            return Task.FromException(Interop.Errors.ForScsiReset(Interop.Errors.Last, Address, name));
        }

        return Task.CompletedTask;
    }

    /// <summary>"opcode 0x5f" — the Scsi layer above knows the names; the HAL only the number.</summary>
    private static string OperationName(byte opcode) => $"opcode 0x{opcode:x2}";

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}

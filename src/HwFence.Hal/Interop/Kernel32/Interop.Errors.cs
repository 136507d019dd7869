using HwFence.Hal.Scsi;
using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>Win32 error codes (winerror.h) SPTI produces, and the one place they become exceptions.</summary>
        internal static class Errors
        {
            internal const int ERROR_INVALID_FUNCTION = 1;
            internal const int ERROR_FILE_NOT_FOUND = 2;
            internal const int ERROR_PATH_NOT_FOUND = 3;
            internal const int ERROR_ACCESS_DENIED = 5;
            internal const int ERROR_NOT_READY = 21;
            internal const int ERROR_SHARING_VIOLATION = 32;
            internal const int ERROR_NOT_SUPPORTED = 50;
            internal const int ERROR_INVALID_PARAMETER = 87;
            internal const int ERROR_SEM_TIMEOUT = 121;
            internal const int ERROR_IO_DEVICE = 1117;
            internal const int ERROR_DEVICE_NOT_CONNECTED = 1167;
            internal const int ERROR_NO_SUCH_DEVICE = 433;

            internal static ScsiTransportException ForScsi(int error, string device, string operation)
            {
                string what = $"{operation} failed: Win32 error {error} ({Marshal.GetPInvokeErrorMessage(error)})";
                return error switch
                {
                    ERROR_FILE_NOT_FOUND or ERROR_PATH_NOT_FOUND or ERROR_DEVICE_NOT_CONNECTED or ERROR_NO_SUCH_DEVICE or ERROR_NOT_READY =>
                        new ScsiTransportException(device, ScsiTransportError.DeviceMissing,
                            $"{what} — no such disk; list them with 'Get-Disk' (\\\\.\\PhysicalDriveN, N = Number)", error),
                    ERROR_ACCESS_DENIED => new ScsiTransportException(device, ScsiTransportError.PermissionDenied,
                        $"{what} — SCSI pass-through needs an elevated (Administrator) process", error),
                    ERROR_INVALID_FUNCTION or ERROR_NOT_SUPPORTED => new ScsiTransportException(device, ScsiTransportError.NotScsiDevice,
                        $"{what} — the storage driver does not accept IOCTL_SCSI_PASS_THROUGH_DIRECT (not a SCSI/SAS/iSCSI/FC disk, or a filter driver blocks pass-through)", error),
                    ERROR_INVALID_PARAMETER => new ScsiTransportException(device, ScsiTransportError.Other,
                        $"{what} — the port driver rejected the request: transfer length beyond the adapter's MaximumTransferLength or a misaligned data buffer", error),
                    ERROR_SEM_TIMEOUT => new ScsiTransportException(device, ScsiTransportError.Timeout, $"{what} — the command timed out", error),
                    ERROR_IO_DEVICE => new ScsiTransportException(device, ScsiTransportError.HostStatus,
                        $"{what} — the adapter reported an I/O error and no SCSI status (check the System event log)", error),
                    ERROR_SHARING_VIOLATION => new ScsiTransportException(device, ScsiTransportError.Other,
                        $"{what} — another program holds the disk exclusively", error),
                    _ => new ScsiTransportException(device, ScsiTransportError.Other, what, error),
                };
            }
        }
    }
}

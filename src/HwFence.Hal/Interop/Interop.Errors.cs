using HwFence.Hal.Scsi;
using HwFence.Hal.Serial;
using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    /// <summary>
    /// Linux errno values (asm-generic/errno-base.h, errno.h; identical on x86-64 and arm64) and the one
    /// place where an errno becomes an exception. Callers pass what they were doing and to which
    /// device, so every message names both and says what to do.
    /// </summary>
    internal static class Errors
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int ESRCH = 3;
        internal const int EINTR = 4;
        internal const int EIO = 5;
        internal const int ENXIO = 6;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11; // == EWOULDBLOCK
        internal const int ENOMEM = 12;
        internal const int EACCES = 13;
        internal const int EBUSY = 16;
        internal const int EEXIST = 17;
        internal const int ENODEV = 19;
        internal const int ENOTDIR = 20;
        internal const int EISDIR = 21;
        internal const int EINVAL = 22;
        internal const int ENOTTY = 25;
        internal const int EROFS = 30;
        internal const int ETIMEDOUT = 110;
        internal const int EOPNOTSUPP = 95;

        /// <summary>errno captured by the last [LibraryImport(SetLastError = true)] call on this thread.</summary>
        internal static int Last => Marshal.GetLastPInvokeError();

        /// <summary>"ENOENT (No such file or directory)".</summary>
        internal static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";

        internal static string Name(int errno) => errno switch
        {
            EPERM => "EPERM",
            ENOENT => "ENOENT",
            ESRCH => "ESRCH",
            EINTR => "EINTR",
            EIO => "EIO",
            ENXIO => "ENXIO",
            EBADF => "EBADF",
            EAGAIN => "EAGAIN",
            ENOMEM => "ENOMEM",
            EACCES => "EACCES",
            EBUSY => "EBUSY",
            EEXIST => "EEXIST",
            ENODEV => "ENODEV",
            ENOTDIR => "ENOTDIR",
            EISDIR => "EISDIR",
            EINVAL => "EINVAL",
            ENOTTY => "ENOTTY",
            EROFS => "EROFS",
            EOPNOTSUPP => "EOPNOTSUPP",
            ETIMEDOUT => "ETIMEDOUT",
            _ => $"errno {errno}",
        };

        /// <summary>errnos meaning a serial device went away (USB-serial unplugged, pty master closed).</summary>
        internal static bool IsUnplug(int errno) => errno is EIO or ENXIO or ENODEV;

        /// <summary>
        /// SG_IO and device-open failures. <paramref name="verifiedScsi"/> is true once the file answered
        /// SG_GET_VERSION_NUM: from then on EINVAL means "the kernel rejected this request" (CDB or
        /// transfer too long for the adapter), not "this is not a SCSI device".
        /// </summary>
        internal static ScsiTransportException ForScsi(int errno, string device, string operation, bool verifiedScsi = false)
        {
            string what = $"{operation} failed: {Describe(errno)}";
            return errno switch
            {
                ENOENT or ENXIO or ENODEV => new ScsiTransportException(device, ScsiTransportError.DeviceMissing,
                    $"{what} — the device node does not exist or the device was removed; check the address (ls -l /dev/sg* /dev/sd*, lsscsi -g)", errno),
                EACCES or EPERM => new ScsiTransportException(device, ScsiTransportError.PermissionDenied,
                    $"{what} — SG_IO needs read/write access to the node and, for commands that change state (PERSISTENT RESERVE OUT, RESERVE, WRITE), root or CAP_SYS_RAWIO: run hwfence as root or grant it with 'setcap cap_sys_rawio+ep'", errno),
                ENOTTY or EISDIR or ENOTDIR => NotScsi(device, what, errno),
                EINVAL when !verifiedScsi => NotScsi(device, what, errno),
                EINVAL => new ScsiTransportException(device, ScsiTransportError.Other,
                    $"{what} — the kernel rejected the request: CDB length, sense length or transfer length is beyond what this adapter accepts (see /sys/block/*/queue/max_hw_sectors_kb)", errno),
                ETIMEDOUT => new ScsiTransportException(device, ScsiTransportError.Timeout,
                    $"{what} — the command timed out", errno),
                EIO => new ScsiTransportException(device, ScsiTransportError.ConnectionLost,
                    $"{what} — the outcome is unknown; the path to the device failed (check dmesg)", errno),
                EBUSY => new ScsiTransportException(device, ScsiTransportError.Other,
                    $"{what} — the device is held exclusively by another program", errno),
                EROFS => new ScsiTransportException(device, ScsiTransportError.PermissionDenied,
                    $"{what} — the device is read-only; fencing needs read/write access", errno),
                _ => new ScsiTransportException(device, ScsiTransportError.Other, what, errno),
            };
        }

        /// <summary>ioctl(SG_SCSI_RESET) failures: the same device errors as SG_IO, plus what a reset can add.</summary>
        internal static ScsiTransportException ForScsiReset(int errno, string device, string reset)
        {
            string what = $"ioctl(SG_SCSI_RESET, {reset}) failed: {Describe(errno)}";
            return errno switch
            {
                EACCES or EPERM => new ScsiTransportException(device, ScsiTransportError.PermissionDenied,
                    $"{what} — a reset needs CAP_SYS_ADMIN and CAP_SYS_RAWIO: run hwfence as root", errno),
                EIO => new ScsiTransportException(device, ScsiTransportError.NotSupported,
                    $"{what} — the driver or the target did not complete the {reset} (check dmesg); it was not escalated to a bus or host reset", errno),
                EINVAL => new ScsiTransportException(device, ScsiTransportError.NotSupported,
                    $"{what} — this kernel does not accept a non-escalating {reset} (SG_SCSI_RESET_NO_ESCALATE needs Linux 3.19 or later)", errno),
                EBUSY or EAGAIN => new ScsiTransportException(device, ScsiTransportError.Other,
                    $"{what} — the host adapter is in error recovery; retry once it has finished", errno),
                _ => ForScsi(errno, device, $"ioctl(SG_SCSI_RESET, {reset})", verifiedScsi: true),
            };
        }

        private static ScsiTransportException NotScsi(string device, string what, int errno) =>
            new(device, ScsiTransportError.NotScsiDevice,
                $"{what} — this file does not accept SG_IO, it is not a SCSI device; use a /dev/sgN or /dev/sdX node (lsscsi -g lists them)", errno);

        /// <summary>Serial-line and pseudo-terminal failures.</summary>
        internal static SerialPortException ForSerial(int errno, string device, string operation)
        {
            string what = $"{operation} failed: {Describe(errno)}";
            return errno switch
            {
                ENOENT => new SerialPortException(device,
                    $"{what} — no such device; is the USB-serial adapter plugged in (ls /dev/ttyUSB* /dev/ttyACM* /dev/serial/by-id)?", errno, unplugged: true),
                EIO or ENXIO or ENODEV => new SerialPortException(device,
                    $"{what} — the device went away (USB-serial unplugged or the other end hung up); reopen it when it returns", errno, unplugged: true),
                EACCES or EPERM => new SerialPortException(device,
                    $"{what} — permission denied; add the user to group 'dialout' or run hwfence as root", errno),
                EBUSY or EAGAIN => new SerialPortException(device,
                    $"{what} — the port is in exclusive use by another program (TIOCEXCL/flock); find it with 'fuser {device}'", errno),
                ENOTTY or EINVAL => new SerialPortException(device,
                    $"{what} — not a serial terminal (termios calls are refused); check the device path", errno),
                _ => new SerialPortException(device, what, errno),
            };
        }
    }
}

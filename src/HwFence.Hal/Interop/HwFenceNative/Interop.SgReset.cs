using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class HwFenceNative
    {
        /// <summary>What <see cref="SgReset"/> asks for: the values of native/src/pal_sgio.h's HwFenceSgReset_*.</summary>
        internal enum SgResetKind
        {
            /// <summary>SG_SCSI_RESET_DEVICE: LOGICAL UNIT RESET.</summary>
            Device = 1,

            /// <summary>SG_SCSI_RESET_TARGET: TARGET RESET.</summary>
            Target = 2,
        }

        /// <summary>
        /// HwFenceNative_SgReset: ioctl(SG_SCSI_RESET, kind | SG_SCSI_RESET_NO_ESCALATE). 0 = the reset
        /// completed, -1 = errno. Never escalates to a bus or host reset.
        /// </summary>
        [LibraryImport(Libraries.HwFenceNative, EntryPoint = "HwFenceNative_SgReset", SetLastError = true)]
        internal static partial int SgReset(SafeDeviceHandle fd, int kind);
    }
}

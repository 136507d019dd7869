using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    /// <summary>libhwfence_native.so, built from native/ (see native/src/pal_sgio.h for the C side).</summary>
    internal static partial class HwFenceNative
    {
        /// <summary>Must equal HWFENCE_NATIVE_ABI_VERSION in native/src/pal_types.h.</summary>
        internal const int AbiVersion = 2;

        /// <summary>
        /// Mirror of HwFenceSgIoResult (pal_sgio.h): the sg_io_hdr output fields widened to int32 so
        /// the layout is 8 × 4 = 32 bytes on every ABI.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SgIoResult
        {
            internal int Status;       // sg_io_hdr.status: the SAM status byte
            internal int MaskedStatus; // (status >> 1) & 0x7f
            internal int HostStatus;   // DID_*
            internal int DriverStatus; // DRIVER_* | SUGGEST_*
            internal int SenseLength;  // sb_len_wr
            internal int Residual;     // resid
            internal int DurationMs;   // duration
            internal int Info;         // SG_INFO_*
        }
    }
}

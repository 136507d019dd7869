using System.Runtime.InteropServices;

namespace HwFence.Hal;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>CTL_CODE(IOCTL_SCSI_BASE = 4, 0x0405, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS) — ntddscsi.h.</summary>
        internal const uint IOCTL_SCSI_PASS_THROUGH_DIRECT = 0x0004D014;

        /// <summary>SCSI_PASS_THROUGH_DIRECT.DataIn values (ntddscsi.h).</summary>
        internal const byte SCSI_IOCTL_DATA_OUT = 0;
        internal const byte SCSI_IOCTL_DATA_IN = 1;
        internal const byte SCSI_IOCTL_DATA_UNSPECIFIED = 2;

        /// <summary>
        /// SCSI_PASS_THROUGH_DIRECT (ntddscsi.h; learn.microsoft.com ns-ntddscsi-_scsi_pass_through_direct)
        /// with its x64/arm64 layout spelled out — natural alignment puts DataBuffer (a PVOID) at 24
        /// and rounds the size up to 56:
        /// <code>
        ///  0 USHORT Length            8 UCHAR DataIn              24 PVOID DataBuffer
        ///  2 UCHAR  ScsiStatus        9 (3 bytes padding)         32 ULONG SenseInfoOffset
        ///  3 UCHAR  PathId           12 ULONG DataTransferLength  36 UCHAR Cdb[16]
        ///  4 UCHAR  TargetId         16 ULONG TimeOutValue        52 (4 bytes padding) → 56
        ///  5 UCHAR  Lun              20 (4 bytes padding)
        ///  6 UCHAR  CdbLength
        ///  7 UCHAR  SenseInfoLength
        /// </code>
        /// 64-bit processes only (a 32-bit process has DataBuffer at 20 and size 44; SptiTransport refuses it).
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 56)]
        internal unsafe struct ScsiPassThroughDirect
        {
            [FieldOffset(0)] internal ushort Length;
            [FieldOffset(2)] internal byte ScsiStatus;
            [FieldOffset(3)] internal byte PathId;
            [FieldOffset(4)] internal byte TargetId;
            [FieldOffset(5)] internal byte Lun;
            [FieldOffset(6)] internal byte CdbLength;
            [FieldOffset(7)] internal byte SenseInfoLength;
            [FieldOffset(8)] internal byte DataIn;
            [FieldOffset(12)] internal uint DataTransferLength;
            [FieldOffset(16)] internal uint TimeOutValue;
            [FieldOffset(24)] internal nint DataBuffer;
            [FieldOffset(32)] internal uint SenseInfoOffset;
            [FieldOffset(36)] internal fixed byte Cdb[16];
        }

        /// <summary>
        /// The pass-through header followed by its sense buffer in one block, as Microsoft's SPTI
        /// sample does (SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER): a ULONG filler after the 56-byte header,
        /// then the sense bytes at 60 (SenseInfoOffset = 60). 252 bytes is SPC-4's largest sense data
        /// (§4.5.1: ADDITIONAL SENSE LENGTH ≤ 244 + 8). 312 bytes in all.
        /// </summary>
        [StructLayout(LayoutKind.Explicit, Size = 312)]
        internal unsafe struct ScsiPassThroughDirectWithSense
        {
            internal const int SenseOffset = 60;
            internal const int SenseCapacity = 252;

            [FieldOffset(0)] internal ScsiPassThroughDirect Header;
            [FieldOffset(56)] internal uint Filler;
            [FieldOffset(SenseOffset)] internal fixed byte Sense[SenseCapacity];
        }
    }
}

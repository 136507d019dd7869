namespace HwFence.Emulator.Iscsi;

/// <summary>
/// 32-bit serial number arithmetic (RFC 1982) for CmdSN windows (RFC 7143 §4.2.2.1).
/// TODO(h2): HwFence.Scsi.Iscsi.Initiator.SerialNumber is internal; make it public in Iscsi and use it here.
/// </summary>
internal static class SerialArithmetic
{
    public static bool LessThan(uint a, uint b) => a != b && (int)(a - b) < 0;

    public static bool LessOrEqual(uint a, uint b) => a == b || (int)(a - b) < 0;
}

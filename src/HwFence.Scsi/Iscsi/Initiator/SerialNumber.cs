namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>32-bit serial number arithmetic (RFC 1982) for CmdSN/StatSN comparisons (RFC 7143 §4.2.2.1).</summary>
public static class SerialNumber
{
    /// <summary>a &lt; b in serial arithmetic.</summary>
    public static bool LessThan(uint a, uint b) => a != b && (int)(a - b) < 0;

    /// <summary>a ≤ b in serial arithmetic.</summary>
    public static bool LessOrEqual(uint a, uint b) => a == b || (int)(a - b) < 0;
}

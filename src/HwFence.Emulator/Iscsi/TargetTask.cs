using HwFence.Emulator.LogicalUnits;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Iscsi;

/// <summary>
/// One SCSI command on an iSCSI connection, from its SCSI Command PDU through Data-Out collection
/// (immediate, unsolicited and R2T-solicited, RFC 7143 §4.2.5.2) to its response. Pooled per
/// connection; the data buffers are rented from the shared array pool.
/// </summary>
internal sealed class TargetTask
{
    public readonly ScsiTask Scsi = new();
    public readonly byte[] Sense = new byte[SenseData.MaxLength];

    public uint Itt;
    /// <summary>The LUN number (ulong.MaxValue when the LUN field uses an address method we do not serve) and the raw field.</summary>
    public ulong Lun;
    public ulong LunField;
    public uint CmdSN;
    public bool DataIn;
    public bool DataOut;
    public int ExpectedLength;

    /// <summary>Data-out buffer (rented, <see cref="ExpectedLength"/> bytes used) and bytes received so far (in order).</summary>
    public byte[]? OutBuffer;
    public int Received;

    /// <summary>Unsolicited Data-Out still allowed (first burst minus immediate data), or 0 once that phase ended.</summary>
    public bool UnsolicitedOpen;
    public int UnsolicitedLimit;

    /// <summary>Next DataSN expected in the current Data-Out sequence (restarts at 0 per R2T, §11.7.5).</summary>
    public uint NextDataSN;

    /// <summary>Current R2T: its target transfer tag (0xFFFFFFFF when none), offset and length.</summary>
    public uint Ttt = 0xFFFF_FFFF;
    public int R2TOffset;
    public int R2TLength;
    public uint NextR2TSN;

    public void Reset()
    {
        Itt = 0;
        Lun = 0;
        LunField = 0;
        CmdSN = 0;
        DataIn = DataOut = false;
        ExpectedLength = 0;
        OutBuffer = null;
        Received = 0;
        UnsolicitedOpen = false;
        UnsolicitedLimit = 0;
        NextDataSN = 0;
        Ttt = 0xFFFF_FFFF;
        R2TOffset = R2TLength = 0;
        NextR2TSN = 0;
    }
}

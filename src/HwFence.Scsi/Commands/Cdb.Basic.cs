using System.Buffers.Binary;

namespace HwFence.Scsi.Commands;

public static partial class Cdb
{
    /// <summary>Length of the 6-byte commands (TEST UNIT READY, REQUEST SENSE, INQUIRY, RESERVE(6), RELEASE(6)).</summary>
    public const int Length6 = 6;

    /// <summary>
    /// TEST UNIT READY (SPC-4 §6.37).
    /// <code>
    ///  byte 0   OPERATION CODE (00h)
    ///  byte 1-4 reserved
    ///  byte 5   CONTROL
    /// </code>
    /// </summary>
    public static int TestUnitReady(Span<byte> destination)
    {
        Start(destination, Length6, ScsiOpcode.TestUnitReady);
        return Length6;
    }

    /// <summary>
    /// REQUEST SENSE (SPC-4 §6.39).
    /// <code>
    ///  byte 0   OPERATION CODE (03h)
    ///  byte 1   reserved | DESC (bit 0: ask for descriptor-format sense)
    ///  byte 4   ALLOCATION LENGTH
    ///  byte 5   CONTROL
    /// </code>
    /// </summary>
    public static int RequestSense(Span<byte> destination, byte allocationLength = Sense.SenseData.MaxLength, bool descriptorFormat = false)
    {
        var cdb = Start(destination, Length6, ScsiOpcode.RequestSense);
        cdb[1] = (byte)(descriptorFormat ? 0x01 : 0x00);
        cdb[4] = allocationLength;
        return Length6;
    }

    /// <summary>
    /// INQUIRY (SPC-4 §6.6). <paramref name="vpdPage"/> null asks for standard INQUIRY data;
    /// a value sets EVPD and asks for that vital product data page (SPC-4 §7.8).
    /// <code>
    ///  byte 0   OPERATION CODE (12h)
    ///  byte 1   reserved | EVPD (bit 0)
    ///  byte 2   PAGE CODE
    ///  byte 3-4 ALLOCATION LENGTH (big-endian)
    ///  byte 5   CONTROL
    /// </code>
    /// </summary>
    public static int Inquiry(Span<byte> destination, int allocationLength, byte? vpdPage = null)
    {
        var cdb = Start(destination, Length6, ScsiOpcode.Inquiry);
        if (vpdPage is byte page)
        {
            cdb[1] = 0x01;
            cdb[2] = page;
        }

        WriteLength16(cdb.Slice(3, 2), allocationLength, nameof(allocationLength));
        return Length6;
    }

    /// <summary>Length of REPORT LUNS.</summary>
    public const int ReportLunsLength = 12;

    /// <summary>
    /// REPORT LUNS (SPC-4 §6.33).
    /// <code>
    ///  byte 0    OPERATION CODE (A0h)
    ///  byte 2    SELECT REPORT (00h: all logical units except well-known ones)
    ///  byte 6-9  ALLOCATION LENGTH (big-endian, at least 16)
    ///  byte 11   CONTROL
    /// </code>
    /// </summary>
    public static int ReportLuns(Span<byte> destination, uint allocationLength, byte selectReport = 0)
    {
        if (allocationLength < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(allocationLength), allocationLength, "REPORT LUNS allocation length must be at least 16 (SPC-4 §6.33)");
        }

        var cdb = Start(destination, ReportLunsLength, ScsiOpcode.ReportLuns);
        cdb[2] = selectReport;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(6, 4), allocationLength);
        return ReportLunsLength;
    }
}

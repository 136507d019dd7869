using System.Buffers.Binary;
using HwFence.Scsi.PersistentReservations;

namespace HwFence.Scsi.Commands;

public static partial class Cdb
{
    /// <summary>
    /// RESERVE(6) (SPC-2 §7.21): reserves the whole logical unit for this I_T nexus. The obsolete
    /// third-party and extent bits stay 0.
    /// </summary>
    public static int Reserve6(Span<byte> destination)
    {
        Start(destination, Length6, ScsiOpcode.Reserve6);
        return Length6;
    }

    /// <summary>RELEASE(6) (SPC-2 §7.19): releases this I_T nexus's SPC-2 reservation (GOOD if none is held).</summary>
    public static int Release6(Span<byte> destination)
    {
        Start(destination, Length6, ScsiOpcode.Release6);
        return Length6;
    }

    /// <summary>
    /// PERSISTENT RESERVE IN (SPC-4 §6.13).
    /// <code>
    ///  byte 0   OPERATION CODE (5Eh)
    ///  byte 1   reserved (7-5) | SERVICE ACTION (4-0)
    ///  byte 7-8 ALLOCATION LENGTH (big-endian)
    ///  byte 9   CONTROL
    /// </code>
    /// </summary>
    public static int PersistentReserveIn(Span<byte> destination, PrInServiceAction action, int allocationLength)
    {
        var cdb = Start(destination, Length10, ScsiOpcode.PersistentReserveIn);
        cdb[1] = (byte)((byte)action & 0x1F);
        WriteLength16(cdb.Slice(7, 2), allocationLength, nameof(allocationLength));
        return Length10;
    }

    /// <summary>
    /// PERSISTENT RESERVE OUT (SPC-4 §6.14). The parameter list (<see cref="PrOutParameterList"/>)
    /// travels in the data-out phase; <paramref name="parameterListLength"/> is its length (24 unless
    /// SPEC_I_PT adds TransportIDs). <paramref name="type"/> matters for RESERVE, RELEASE, PREEMPT
    /// and PREEMPT AND ABORT and is ignored by the device otherwise (sent as 0 when null).
    /// <code>
    ///  byte 0   OPERATION CODE (5Fh)
    ///  byte 1   reserved (7-5) | SERVICE ACTION (4-0)
    ///  byte 2   SCOPE (7-4, 0 = LU_SCOPE) | TYPE (3-0)
    ///  byte 5-8 PARAMETER LIST LENGTH (big-endian)
    ///  byte 9   CONTROL
    /// </code>
    /// </summary>
    public static int PersistentReserveOut(
        Span<byte> destination, PrOutServiceAction action, PersistentReservationType? type, uint parameterListLength = PrOutParameterList.BasicLength)
    {
        var cdb = Start(destination, Length10, ScsiOpcode.PersistentReserveOut);
        cdb[1] = (byte)((byte)action & 0x1F);
        cdb[2] = (byte)(type is { } t ? (byte)t & 0x0F : 0); // scope 0h: LU_SCOPE, the only one SPC-4 keeps
        BinaryPrimitives.WriteUInt32BigEndian(cdb.Slice(5, 4), parameterListLength);
        return Length10;
    }
}

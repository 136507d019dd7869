using HwFence.Scsi.PersistentReservations;

namespace HwFence.Scsi.Commands;

/// <summary>
/// The names sg3_utils and the T10 tables use for a CDB ("WRITE(10)", "PERSISTENT RESERVE OUT
/// (PREEMPT AND ABORT)"), for error messages. Returns interned constants for the common commands so
/// that naming a command on the hot path does not allocate.
/// </summary>
public static class ScsiCommandNames
{
    /// <summary>Names the command in <paramref name="cdb"/> (opcode plus service action where there is one).</summary>
    public static string Name(ReadOnlySpan<byte> cdb)
    {
        if (cdb.IsEmpty)
        {
            return "(empty CDB)";
        }

        byte sa = cdb.Length > 1 ? (byte)(cdb[1] & 0x1F) : (byte)0;
        return cdb[0] switch
        {
            ScsiOpcode.TestUnitReady => "TEST UNIT READY",
            ScsiOpcode.RequestSense => "REQUEST SENSE",
            ScsiOpcode.Inquiry => "INQUIRY",
            ScsiOpcode.Reserve6 => "RESERVE(6)",
            ScsiOpcode.Release6 => "RELEASE(6)",
            ScsiOpcode.ModeSense6 => "MODE SENSE(6)",
            ScsiOpcode.ReadCapacity10 => "READ CAPACITY(10)",
            ScsiOpcode.Read10 => "READ(10)",
            ScsiOpcode.Write10 => "WRITE(10)",
            ScsiOpcode.Verify10 => "VERIFY(10)",
            ScsiOpcode.SynchronizeCache10 => "SYNCHRONIZE CACHE(10)",
            ScsiOpcode.WriteBuffer => "WRITE BUFFER",
            ScsiOpcode.ReadBuffer => "READ BUFFER",
            ScsiOpcode.ModeSelect10 => "MODE SELECT(10)",
            ScsiOpcode.Reserve10 => "RESERVE(10)",
            ScsiOpcode.Release10 => "RELEASE(10)",
            ScsiOpcode.ModeSense10 => "MODE SENSE(10)",
            ScsiOpcode.PersistentReserveIn => PrInName((PrInServiceAction)sa),
            ScsiOpcode.PersistentReserveOut => PrOutName((PrOutServiceAction)sa),
            ScsiOpcode.Read16 => "READ(16)",
            ScsiOpcode.Write16 => "WRITE(16)",
            ScsiOpcode.SynchronizeCache16 => "SYNCHRONIZE CACHE(16)",
            ScsiOpcode.ServiceActionIn16 when sa == ScsiOpcode.ReadCapacity16ServiceAction => "READ CAPACITY(16)",
            ScsiOpcode.ServiceActionIn16 => "SERVICE ACTION IN(16)",
            ScsiOpcode.ReportLuns => "REPORT LUNS",
            ScsiOpcode.MaintenanceIn when sa == ScsiOpcode.ReportSupportedOpcodesServiceAction => "REPORT SUPPORTED OPERATION CODES",
            ScsiOpcode.MaintenanceIn => "MAINTENANCE IN",
            ScsiOpcode.Read12 => "READ(12)",
            ScsiOpcode.Write12 => "WRITE(12)",
            byte op => $"OPERATION CODE 0x{op:X2}",
        };
    }

    /// <summary>"PERSISTENT RESERVE IN (READ KEYS)" and so on (SPC-4 §6.13.1 table 167).</summary>
    public static string PrInName(PrInServiceAction action) => action switch
    {
        PrInServiceAction.ReadKeys => "PERSISTENT RESERVE IN (READ KEYS)",
        PrInServiceAction.ReadReservation => "PERSISTENT RESERVE IN (READ RESERVATION)",
        PrInServiceAction.ReportCapabilities => "PERSISTENT RESERVE IN (REPORT CAPABILITIES)",
        PrInServiceAction.ReadFullStatus => "PERSISTENT RESERVE IN (READ FULL STATUS)",
        _ => $"PERSISTENT RESERVE IN (service action 0x{(byte)action:X2})",
    };

    /// <summary>"PERSISTENT RESERVE OUT (PREEMPT AND ABORT)" and so on (SPC-4 §6.14.2 table 175).</summary>
    public static string PrOutName(PrOutServiceAction action) => action switch
    {
        PrOutServiceAction.Register => "PERSISTENT RESERVE OUT (REGISTER)",
        PrOutServiceAction.Reserve => "PERSISTENT RESERVE OUT (RESERVE)",
        PrOutServiceAction.Release => "PERSISTENT RESERVE OUT (RELEASE)",
        PrOutServiceAction.Clear => "PERSISTENT RESERVE OUT (CLEAR)",
        PrOutServiceAction.Preempt => "PERSISTENT RESERVE OUT (PREEMPT)",
        PrOutServiceAction.PreemptAndAbort => "PERSISTENT RESERVE OUT (PREEMPT AND ABORT)",
        PrOutServiceAction.RegisterAndIgnoreExistingKey => "PERSISTENT RESERVE OUT (REGISTER AND IGNORE EXISTING KEY)",
        PrOutServiceAction.RegisterAndMove => "PERSISTENT RESERVE OUT (REGISTER AND MOVE)",
        PrOutServiceAction.ReplaceLostReservation => "PERSISTENT RESERVE OUT (REPLACE LOST RESERVATION)",
        _ => $"PERSISTENT RESERVE OUT (service action 0x{(byte)action:X2})",
    };
}

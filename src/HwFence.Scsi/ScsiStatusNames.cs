using HwFence.Hal.Scsi;

namespace HwFence.Scsi;

/// <summary>The SAM-5 names of status codes (SAM-5 §5.3.1 table 40), as sg3_utils prints them.</summary>
public static class ScsiStatusNames
{
    public static string Name(ScsiStatus status) => status switch
    {
        ScsiStatus.Good => "GOOD",
        ScsiStatus.CheckCondition => "CHECK CONDITION",
        ScsiStatus.ConditionMet => "CONDITION MET",
        ScsiStatus.Busy => "BUSY",
        ScsiStatus.ReservationConflict => "RESERVATION CONFLICT",
        ScsiStatus.TaskSetFull => "TASK SET FULL",
        ScsiStatus.AcaActive => "ACA ACTIVE",
        ScsiStatus.TaskAborted => "TASK ABORTED",
        _ => $"STATUS 0x{(byte)status:X2}",
    };
}

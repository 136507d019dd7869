using HwFence.Hal.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.Sense;

namespace HwFence.Cli.Commands.Scsi;

/// <summary>
/// Exit codes of <c>hwfence scsi</c>. They follow sg3_utils' sg_lib categories (sg_lib.h
/// SG_LIB_CAT_*), so scripts written for sg_turs / sg_persist keep working.
/// </summary>
internal static class ScsiExitCodes
{
    public const int Good = 0;
    public const int UsageError = 1;              // SG_LIB_SYNTAX_ERROR; also a bad device address
    public const int NotReady = 2;                // CHECK CONDITION, NOT READY
    public const int MediumOrHardwareError = 3;   // CHECK CONDITION, MEDIUM ERROR / HARDWARE ERROR
    public const int IllegalRequest = 5;          // CHECK CONDITION, ILLEGAL REQUEST (other than below)
    public const int UnitAttention = 6;           // CHECK CONDITION, UNIT ATTENTION (after all retries)
    public const int DataProtect = 7;             // CHECK CONDITION, DATA PROTECT
    public const int NotSupported = 9;            // ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE / INVALID FIELD IN CDB
    public const int AbortedCommand = 11;         // CHECK CONDITION, ABORTED COMMAND; TASK ABORTED status
    public const int CheckCondition = 12;         // CHECK CONDITION, any other sense key or no sense
    public const int ReservationConflict = 24;    // SG_LIB_CAT_RES_CONFLICT
    public const int Busy = 26;                   // BUSY / TASK SET FULL / ACA ACTIVE
    public const int Timeout = 33;                // SG_LIB_CAT_TIMEOUT
    public const int TransportError = 35;         // SG_LIB_TRANSPORT_ERROR: no status came back
    public const int MalformedResponse = 97;      // SG_LIB_CAT_MALFORMED
    public const int Other = 99;

    /// <summary>The text `hwfence scsi --help` shows.</summary>
    public const string HelpText =
        "Exit codes (as sg3_utils): 0 GOOD; 1 usage error or bad device address; 24 RESERVATION CONFLICT; " +
        "CHECK CONDITION: 2 NOT READY, 3 MEDIUM/HARDWARE ERROR, 5 ILLEGAL REQUEST, 6 UNIT ATTENTION, 7 DATA PROTECT, " +
        "9 command not supported, 11 ABORTED COMMAND, 12 other sense; 26 BUSY/TASK SET FULL; 33 timeout; " +
        "35 transport error (device missing, permission denied, connection lost); 97 malformed response; 99 other.";

    public static int For(in ScsiOutcome outcome)
    {
        switch (outcome.Status)
        {
            case ScsiStatus.Good or ScsiStatus.ConditionMet:
                return Good;
            case ScsiStatus.ReservationConflict:
                return ReservationConflict;
            case ScsiStatus.Busy or ScsiStatus.TaskSetFull or ScsiStatus.AcaActive:
                return Busy;
            case ScsiStatus.TaskAborted:
                return AbortedCommand;
            case ScsiStatus.CheckCondition:
                if (outcome.IsNotSupported)
                {
                    return NotSupported;
                }

                return outcome.Sense?.Key switch
                {
                    SenseKey.NotReady => NotReady,
                    SenseKey.MediumError or SenseKey.HardwareError => MediumOrHardwareError,
                    SenseKey.IllegalRequest => IllegalRequest,
                    SenseKey.UnitAttention => UnitAttention,
                    SenseKey.DataProtect => DataProtect,
                    SenseKey.AbortedCommand => AbortedCommand,
                    _ => CheckCondition,
                };
            default:
                return Other;
        }
    }

    public static int For(Exception exception) => exception switch
    {
        ScsiCommandException c => For(c.Outcome),
        ScsiTransportException { Error: ScsiTransportError.Timeout } => Timeout,
        ScsiTransportException { Error: ScsiTransportError.NotSupported } => NotSupported, // e.g. a task management function the target refused
        ScsiTransportException => TransportError,
        ScsiResponseException or ScsiDataFormatException => MalformedResponse,
        DeviceAddressFormatException => UsageError,
        _ => Other,
    };
}

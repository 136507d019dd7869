namespace HwFence.Hal.Scsi;

/// <summary>Direction of a command's data phase, as seen from the initiator.</summary>
public enum DataDirection
{
    /// <summary>No data phase (TEST UNIT READY, RESERVE(6), …).</summary>
    None = 0,
    /// <summary>Data flows from the device into the caller's buffer (READ, INQUIRY, PR IN).</summary>
    FromDevice = 1,
    /// <summary>Data flows from the caller's buffer to the device (WRITE, PR OUT).</summary>
    ToDevice = 2,
}

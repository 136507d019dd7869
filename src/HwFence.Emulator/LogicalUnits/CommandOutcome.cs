using HwFence.Hal.Scsi;

namespace HwFence.Emulator.LogicalUnits;

/// <summary>
/// What the device server did with one command. <see cref="TransferLength"/> is the number of bytes
/// the command moved (or wanted to move) in its data direction: for data-in commands the bytes it
/// produced, before truncation to the initiator's buffer; for data-out commands the bytes it needed.
/// Transports compare it with the initiator's expected length to report residual underflow or
/// overflow (SAM-5 §5.4.3, RFC 7143 §11.4.5).
/// </summary>
public readonly record struct CommandOutcome(ScsiStatus Status, int SenseLength, int TransferLength)
{
    public static CommandOutcome Good(int transferLength = 0) => new(ScsiStatus.Good, 0, transferLength);

    public static readonly CommandOutcome ReservationConflict = new(ScsiStatus.ReservationConflict, 0, 0);

    public static readonly CommandOutcome TaskAborted = new(ScsiStatus.TaskAborted, 0, 0);

    public static readonly CommandOutcome Busy = new(ScsiStatus.Busy, 0, 0);
}

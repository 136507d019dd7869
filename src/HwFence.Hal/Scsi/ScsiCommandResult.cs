namespace HwFence.Hal.Scsi;

/// <summary>
/// What a transport reports for one executed CDB. Transport failures (the command never reached
/// the device, or no status came back) are not results: they are thrown as
/// <see cref="ScsiTransportException"/>.
/// </summary>
/// <param name="Status">The status byte the device returned.</param>
/// <param name="SenseLength">Number of valid bytes written into the caller's sense buffer.</param>
/// <param name="Residual">Bytes of the data buffer that were not transferred (underflow &gt; 0).</param>
public readonly record struct ScsiCommandResult(ScsiStatus Status, int SenseLength, int Residual)
{
    /// <summary>Bytes actually transferred, given the length of the buffer that was passed.</summary>
    public int Transferred(int bufferLength) => Math.Max(0, bufferLength - Residual);
}

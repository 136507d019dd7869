using HwFence.Hal.Scsi;

namespace HwFence.Hal.Tests.Scsi;

/// <summary>Against a real /dev/sg* node: skipped, with the reason, where none exists.</summary>
public class RealSgDeviceTests
{
    [RequiresSgDeviceFact]
    public async Task InquiryReturnsStandardDataAndTestUnitReadyAStatus()
    {
        string device = RequiresSgDeviceFactAttribute.FirstSgDevice()!;
        await using SgIoTransport transport = SgIoTransport.Open(device);
        Assert.True(transport.SgDriverVersion >= SgIoTransport.MinimumSgVersion);

        // INQUIRY (SPC-4 §6.6): opcode 0x12, allocation length 36 in bytes 3–4.
        byte[] inquiry = [0x12, 0, 0, 0, 36, 0];
        byte[] data = new byte[36];
        byte[] sense = new byte[32];
        ScsiCommandResult result = await transport.ExecuteAsync(inquiry, DataDirection.FromDevice, data, sense, TimeSpan.FromSeconds(10));
        Assert.Equal(ScsiStatus.Good, result.Status);
        Assert.True(result.Transferred(data.Length) >= 5, "standard INQUIRY data has at least 5 bytes");

        // TEST UNIT READY: GOOD, or CHECK CONDITION (not ready / unit attention) with sense bytes.
        ScsiCommandResult tur = await transport.ExecuteAsync(new byte[6], DataDirection.None, Memory<byte>.Empty, sense, TimeSpan.FromSeconds(10));
        Assert.True(tur.Status is ScsiStatus.Good or ScsiStatus.CheckCondition or ScsiStatus.ReservationConflict, $"TUR status {tur.Status}");
        if (tur.Status == ScsiStatus.CheckCondition)
        {
            Assert.True(tur.SenseLength > 0);
        }
    }
}

using HwFence.Scsi.Sense;

namespace HwFence.Scsi.Tests.Fakes;

/// <summary>Builds sense bytes with the production writer.</summary>
internal static class SenseBytes
{
    public static byte[] Fixed(SenseKey key, AdditionalSense asc)
    {
        var b = new byte[SenseData.FixedLength];
        SenseData.WriteFixed(b, key, asc);
        return b;
    }

    public static byte[] UnitAttention(AdditionalSense asc) => Fixed(SenseKey.UnitAttention, asc);
}

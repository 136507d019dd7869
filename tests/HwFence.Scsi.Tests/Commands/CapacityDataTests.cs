using HwFence.Scsi.Capacity;

namespace HwFence.Scsi.Tests.Commands;

public sealed class CapacityDataTests
{
    [Fact]
    public void ReadCapacity10_round_trip_and_overflow_marker()
    {
        var b = new byte[8];
        ReadCapacity10Data.Write(b, 2048, 512);
        Assert.Equal([0, 0, 0x07, 0xFF, 0, 0, 0x02, 0], b);
        var d = ReadCapacity10Data.Parse(b);
        Assert.Equal(2048UL, d.BlockCount);
        Assert.False(d.NeedsReadCapacity16);

        ReadCapacity10Data.Write(b, 1UL << 40, 512);
        Assert.True(ReadCapacity10Data.Parse(b).NeedsReadCapacity16);
    }

    [Fact]
    public void ReadCapacity16_round_trip_every_field()
    {
        var original = new ReadCapacity16Data(0x1_0000_0000, 4096, true, 2, 3, true, true, 0x1234);
        var b = new byte[32];
        Assert.Equal(32, original.Write(b));

        var parsed = ReadCapacity16Data.Parse(b);

        Assert.Equal(original, parsed);
        Assert.Equal(0x1_0000_0001UL * 4096, parsed.CapacityBytes);
    }

    [Fact]
    public void ReadCapacity16_accepts_the_short_12_byte_form()
    {
        var b = new byte[32];
        new ReadCapacity16Data(99, 512, ThinProvisioned: true).Write(b);
        var parsed = ReadCapacity16Data.Parse(b.AsSpan(0, 12));
        Assert.Equal(100UL, parsed.BlockCount);
        Assert.False(parsed.ThinProvisioned);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ReadCapacity10_truncated_names_the_field(int length)
    {
        Assert.False(ReadCapacity10Data.TryParse(new byte[length], out _, out var e));
        Assert.Contains("LOGICAL BLOCK LENGTH", e);
    }

    [Fact]
    public void ReadCapacity16_truncated_names_the_field()
    {
        Assert.False(ReadCapacity16Data.TryParse(new byte[11], out _, out var e));
        Assert.Contains("LOGICAL BLOCK LENGTH", e);
        Assert.Throws<ScsiDataFormatException>(() => ReadCapacity16Data.Parse([]));
    }
}

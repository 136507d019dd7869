using HwFence.Scsi.Commands;

namespace HwFence.Scsi.Tests.Commands;

public sealed class ReportLunsDataTests
{
    [Fact]
    public void Round_trip_with_peripheral_and_flat_addressing()
    {
        ScsiLun[] luns = [ScsiLun.FromNumber(0), ScsiLun.FromNumber(1), ScsiLun.FromNumber(300)];
        var buffer = new byte[64];
        int n = ReportLunsData.Write(buffer, luns);

        var parsed = ReportLunsData.Parse(buffer.AsSpan(0, n));

        Assert.Equal(32, n);
        Assert.Equal([0, 1, 300], parsed.Luns.Select(l => l.Number!.Value));
        Assert.False(parsed.Truncated);
        Assert.Equal(0x0001_0000_0000_0000UL, luns[1].Encoded);
        Assert.Equal(0x412C_0000_0000_0000UL, luns[2].Encoded);
    }

    [Fact]
    public void Cut_list_is_marked_truncated()
    {
        var buffer = new byte[16];
        ReportLunsData.Write(buffer, [ScsiLun.FromNumber(0), ScsiLun.FromNumber(1)]);

        var parsed = ReportLunsData.Parse(buffer);

        Assert.True(parsed.Truncated);
        Assert.Single(parsed.Luns);
    }

    [Fact]
    public void Malformed_inputs_name_the_field()
    {
        Assert.False(ReportLunsData.TryParse(new byte[7], out _, out var e1));
        Assert.Contains("LUN LIST LENGTH", e1);
        Assert.False(ReportLunsData.TryParse([0, 0, 0, 5, 0, 0, 0, 0], out _, out var e2));
        Assert.Contains("not a multiple of 8", e2);
        Assert.Throws<ScsiDataFormatException>(() => ReportLunsData.Parse([1]));
    }

    [Fact]
    public void Lun_number_limits_and_unknown_methods()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScsiLun.FromNumber(16384));
        Assert.Null(new ScsiLun(0x0001_0002_0000_0000).Number); // second level
        Assert.Null(new ScsiLun(0xC000_0000_0000_0000).Number); // extended addressing
        Assert.Equal("0xC000000000000000", new ScsiLun(0xC000_0000_0000_0000).ToString());
    }
}

using HwFence.Scsi.PersistentReservations;

namespace HwFence.Scsi.Tests.PersistentReservations;

public sealed class PrOutParameterListTests
{
    [Fact]
    public void Basic_list_layout()
    {
        var b = new byte[24];
        int n = new PrOutParameterList(0x0102030405060708, 0x1112131415161718, PrOutFlags.AllTgPt | PrOutFlags.Aptpl).Write(b);

        Assert.Equal(24, n);
        Assert.Equal(Convert.FromHexString("0102030405060708" + "1112131415161718" + "00000000" + "05000000"), b);
    }

    [Theory]
    [InlineData(PrOutFlags.None)]
    [InlineData(PrOutFlags.Aptpl)]
    [InlineData(PrOutFlags.AllTgPt)]
    [InlineData(PrOutFlags.AllTgPt | PrOutFlags.Aptpl)]
    public void Round_trip_flags(PrOutFlags flags)
    {
        var list = new PrOutParameterList(1, 2, flags);
        var b = new byte[list.Length];
        list.Write(b);
        var parsed = PrOutParameterList.Parse(b);
        Assert.Equal((1UL, 2UL, flags), (parsed.ReservationKey, parsed.ServiceActionReservationKey, parsed.Flags));
    }

    [Fact]
    public void Spec_i_pt_carries_transport_ids()
    {
        var tid = new byte[TransportId.IscsiLength("iqn.2026-01.test:b")];
        TransportId.WriteIscsi(tid, "iqn.2026-01.test:b");
        var list = new PrOutParameterList(0, 0xB, PrOutFlags.SpecIPt, tid);
        var b = new byte[list.Length];

        list.Write(b);
        var parsed = PrOutParameterList.Parse(b);

        Assert.Equal(28 + tid.Length, b.Length);
        Assert.Equal(0x08, b[20]);
        Assert.Equal(tid, parsed.TransportIds.ToArray());
        Assert.True(TransportId.TryParse(parsed.TransportIds.Span, out var t, out _, out _));
        Assert.Equal("iqn.2026-01.test:b", t!.IscsiName);
    }

    [Fact]
    public void Transport_ids_without_spec_i_pt_are_refused()
    {
        var list = new PrOutParameterList(0, 1, PrOutFlags.None, new byte[24]);
        Assert.Throws<ArgumentException>(() => list.Write(new byte[64]));
    }

    [Fact]
    public void Malformed_lists_name_the_field()
    {
        Assert.False(PrOutParameterList.TryParse(new byte[23], out _, out var e1));
        Assert.Contains("at least 24", e1);

        var b = new byte[26];
        b[20] = 0x08;
        Assert.False(PrOutParameterList.TryParse(b, out _, out var e2));
        Assert.Contains("TRANSPORTID PARAMETER DATA LENGTH", e2);

        b = new byte[32];
        b[20] = 0x08;
        b[27] = 10;
        Assert.False(PrOutParameterList.TryParse(b, out _, out var e3));
        Assert.Contains("is 10 but only 4", e3);
        Assert.Throws<ScsiDataFormatException>(() => PrOutParameterList.Parse(b));
    }
}

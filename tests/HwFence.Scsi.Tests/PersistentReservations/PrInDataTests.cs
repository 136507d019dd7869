using HwFence.Scsi.PersistentReservations;

namespace HwFence.Scsi.Tests.PersistentReservations;

public sealed class PrInDataTests
{
    [Fact]
    public void ReadKeys_round_trip()
    {
        var b = new byte[64];
        int n = PrReadKeysData.Write(b, 0x42, [0xA, 0xB, 0xA]);
        var parsed = PrReadKeysData.Parse(b.AsSpan(0, n));

        Assert.Equal(32, n);
        Assert.Equal(0x42u, parsed.Generation);
        Assert.Equal([0xAUL, 0xB, 0xA], parsed.Keys);
        Assert.True(parsed.Contains(0xB));
        Assert.False(parsed.Contains(0xC));
        Assert.False(parsed.Truncated);
    }

    [Fact]
    public void ReadKeys_cut_by_allocation_length_is_flagged_and_declares_all_keys()
    {
        var b = new byte[20];
        int n = PrReadKeysData.Write(b, 1, [1, 2, 3]);
        Assert.Equal(16, n);
        Assert.Equal(24, b[7]); // ADDITIONAL LENGTH states all three keys
        var parsed = PrReadKeysData.Parse(b);
        Assert.True(parsed.Truncated);
        Assert.Equal([1UL], parsed.Keys);
    }

    [Fact]
    public void ReadKeys_errors()
    {
        Assert.False(PrReadKeysData.TryParse(new byte[7], out _, out var e1));
        Assert.Contains("PRGENERATION/ADDITIONAL LENGTH header", e1);
        Assert.False(PrReadKeysData.TryParse([0, 0, 0, 0, 0, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9], out _, out var e2));
        Assert.Contains("not a multiple of 8", e2);
    }

    [Theory]
    [InlineData(PersistentReservationType.WriteExclusive)]
    [InlineData(PersistentReservationType.ExclusiveAccess)]
    [InlineData(PersistentReservationType.WriteExclusiveRegistrantsOnly)]
    [InlineData(PersistentReservationType.ExclusiveAccessRegistrantsOnly)]
    [InlineData(PersistentReservationType.WriteExclusiveAllRegistrants)]
    [InlineData(PersistentReservationType.ExclusiveAccessAllRegistrants)]
    public void ReadReservation_round_trip_every_type(PersistentReservationType type)
    {
        var b = new byte[24];
        Assert.Equal(24, PrReadReservationData.Write(b, 7, new PrReservation(0xDEAD, type)));
        Assert.Equal((byte)type, b[21]);
        var parsed = PrReadReservationData.Parse(b);
        Assert.Equal(new PrReservation(0xDEAD, type), parsed.Reservation);
        Assert.Equal(7u, parsed.Generation);
    }

    [Fact]
    public void ReadReservation_none_and_errors()
    {
        var b = new byte[24];
        Assert.Equal(8, PrReadReservationData.Write(b, 3, null));
        Assert.Null(PrReadReservationData.Parse(b.AsSpan(0, 8)).Reservation);

        PrReadReservationData.Write(b, 3, new PrReservation(1, PersistentReservationType.ExclusiveAccess));
        Assert.False(PrReadReservationData.TryParse(b.AsSpan(0, 20), out _, out var e1));
        Assert.Contains("reservation descriptor (bytes 8-23)", e1);
        b[7] = 8;
        Assert.False(PrReadReservationData.TryParse(b, out _, out var e2));
        Assert.Contains("ADDITIONAL LENGTH is 8", e2);
    }

    [Fact]
    public void Capabilities_round_trip_and_type_mask()
    {
        var caps = new PrCapabilities(false, true, true, true, true, true, 1, false,
            PrCapabilities.MaskOf([.. PersistentReservationTypeNames.All]));
        var b = new byte[8];
        caps.Write(b);

        Assert.Equal(Convert.FromHexString("00081D90EA010000"), b);
        var parsed = PrCapabilities.Parse(b);
        Assert.Equal(caps, parsed);
        Assert.All(PersistentReservationTypeNames.All, t => Assert.True(parsed.Supports(t)));
        Assert.False((parsed with { TypeMaskValid = false }).Supports(PersistentReservationType.WriteExclusive));
    }

    [Fact]
    public void Capabilities_errors()
    {
        Assert.False(PrCapabilities.TryParse(new byte[5], out _, out var e1));
        Assert.Contains("TYPE MASK", e1);
        Assert.False(PrCapabilities.TryParse([0, 2, 0, 0, 0, 0, 0, 0], out _, out var e2));
        Assert.Contains("LENGTH is 2", e2);
    }

    private static PrFullStatusDescriptor Registration(string name, ulong key, bool holder, string? isid = null)
    {
        var tid = new byte[TransportId.IscsiLength(name, isid)];
        TransportId.WriteIscsi(tid, name, isid);
        TransportId.TryParse(tid, out var parsed, out _, out _);
        return new PrFullStatusDescriptor(key, false, holder, 0, holder ? PersistentReservationType.WriteExclusiveRegistrantsOnly : 0, 1, parsed!);
    }

    [Fact]
    public void FullStatus_round_trip()
    {
        var regs = new[] { Registration("iqn.2026-01.test:a", 0xA, holder: false, isid: "400001370000"), Registration("iqn.2026-01.test:b", 0xB, holder: true) };
        var b = new byte[512];
        int n = PrFullStatusData.Write(b, 5, regs);

        var parsed = PrFullStatusData.Parse(b.AsSpan(0, n));

        Assert.Equal(5u, parsed.Generation);
        Assert.Equal(2, parsed.Registrations.Count);
        Assert.Equal("iqn.2026-01.test:a", parsed.Registrations[0].TransportId.IscsiName);
        Assert.Equal("400001370000", parsed.Registrations[0].TransportId.Isid);
        Assert.Equal("iSCSI iqn.2026-01.test:a,i,0x400001370000", parsed.Registrations[0].TransportId.ToString());
        Assert.True(parsed.Registrations[1].ReservationHolder);
        Assert.Equal(PersistentReservationType.WriteExclusiveRegistrantsOnly, parsed.Registrations[1].Type);
        Assert.Equal((ushort)1, parsed.Registrations[1].RelativeTargetPortId);
        Assert.False(parsed.Truncated);

        var cut = PrFullStatusData.Parse(b.AsSpan(0, n - 10));
        Assert.True(cut.Truncated);
        Assert.Single(cut.Registrations);
    }

    [Fact]
    public void FullStatus_descriptor_overrun_names_the_offset()
    {
        var b = new byte[512];
        int n = PrFullStatusData.Write(b, 5, [Registration("iqn.2026-01.test:a", 1, false)]);
        b[8 + 23] = 200; // ADDITIONAL DESCRIPTOR LENGTH
        Assert.False(PrFullStatusData.TryParse(b.AsSpan(0, n), out _, out var e));
        Assert.Contains("descriptor at byte 8", e);
        Assert.Contains("ADDITIONAL DESCRIPTOR LENGTH 200", e);
    }

    [Fact]
    public void TransportId_fixed_forms_and_errors()
    {
        var fc = new byte[24];
        fc[0] = 0x00;
        fc[8] = 0x21;
        Assert.True(TransportId.TryParse(fc, out var t, out int consumed, out _));
        Assert.Equal(24, consumed);
        Assert.Equal("FC N_PORT_NAME 0x2100000000000000", t!.ToString());

        var sas = new byte[24];
        sas[0] = 0x06;
        sas[4] = 0x50;
        Assert.True(TransportId.TryParse(sas, out t, out _, out _));
        Assert.Equal(0x5000000000000000UL, t!.PortName);

        Assert.False(TransportId.TryParse(new byte[10], out _, out _, out var e1));
        Assert.Contains("needs 24", e1);
        Assert.False(TransportId.TryParse([0x05, 0, 0, 40, 0x69], out _, out _, out var e2));
        Assert.Contains("ADDITIONAL LENGTH is 40", e2);
        Assert.Equal(0, TransportId.IscsiLength("iqn.x") % 4);
    }

    [Theory]
    [InlineData("5", PersistentReservationType.WriteExclusiveRegistrantsOnly)]
    [InlineData("0x8", PersistentReservationType.ExclusiveAccessAllRegistrants)]
    [InlineData("we_ro", PersistentReservationType.WriteExclusiveRegistrantsOnly)]
    [InlineData("EA", PersistentReservationType.ExclusiveAccess)]
    public void Type_names_parse(string text, PersistentReservationType expected)
    {
        Assert.True(PersistentReservationTypeNames.TryParse(text, out var t, out _));
        Assert.Equal(expected, t);
    }

    [Theory]
    [InlineData("2", "reserved")]
    [InlineData("x", "not a number")]
    [InlineData("", "not a number")]
    public void Type_names_reject(string text, string expected)
    {
        Assert.False(PersistentReservationTypeNames.TryParse(text, out _, out var e));
        Assert.Contains(expected, e);
    }
}

using HwFence.Scsi.Inquiry;

namespace HwFence.Scsi.Tests.Commands;

public sealed class InquiryDataTests
{
    [Fact]
    public void Standard_inquiry_round_trip()
    {
        var original = StandardInquiryData.Disk("HWFENCE", "EMULATED DISK", "0001") with { Tpgs = 1, MultiPort = true, Protect = true };
        var b = new byte[96];
        int n = original.Write(b);

        var parsed = StandardInquiryData.Parse(b.AsSpan(0, n));

        Assert.Equal(36, n);
        Assert.Equal(31, b[4]); // ADDITIONAL LENGTH
        Assert.Equal(original, parsed);
    }

    [Fact]
    public void Standard_inquiry_pads_ascii_with_spaces_and_replaces_non_printables()
    {
        var b = new byte[36];
        StandardInquiryData.Disk("AB", "X\u00e9Y", "1").Write(b);
        Assert.Equal("AB      "u8.ToArray(), b[8..16]);
        Assert.Equal((byte)'?', b[17]);
    }

    [Theory]
    [InlineData(0, "bytes 0-7")]
    [InlineData(5, "bytes 0-7")]
    [InlineData(8, "T10 VENDOR IDENTIFICATION")]
    [InlineData(20, "PRODUCT IDENTIFICATION")]
    [InlineData(35, "PRODUCT REVISION LEVEL")]
    public void Standard_inquiry_truncated_names_the_missing_field(int length, string field)
    {
        var b = new byte[36];
        StandardInquiryData.Disk("V", "P", "R").Write(b);
        Assert.False(StandardInquiryData.TryParse(b.AsSpan(0, length), out _, out var e));
        Assert.Contains(field, e);
    }

    [Fact]
    public void Standard_inquiry_rejects_wrong_response_format()
    {
        var b = new byte[36];
        StandardInquiryData.Disk("V", "P", "R").Write(b);
        b[3] = 0x01;
        Assert.False(StandardInquiryData.TryParse(b, out _, out var e));
        Assert.Contains("RESPONSE DATA FORMAT is 1", e);
    }

    [Fact]
    public void Supported_pages_round_trip()
    {
        var b = new byte[16];
        int n = new SupportedVpdPages([0x00, 0x80, 0x83]).Write(b);
        Assert.Equal([0, 0, 0, 3, 0x00, 0x80, 0x83], b[..n]);
        Assert.Equal([0x00, 0x80, 0x83], SupportedVpdPages.Parse(b.AsSpan(0, n)).Pages);
    }

    [Fact]
    public void Serial_number_round_trip()
    {
        var b = new byte[64];
        int n = new UnitSerialNumberPage("beaf10").Write(b);
        Assert.Equal("beaf10", UnitSerialNumberPage.Parse(b.AsSpan(0, n)).SerialNumber);
    }

    [Fact]
    public void Vpd_page_code_mismatch_and_short_header_are_errors()
    {
        var b = new byte[64];
        int n = new UnitSerialNumberPage("x").Write(b);
        Assert.False(DeviceIdentificationPage.TryParse(b.AsSpan(0, n), out _, out var e1));
        Assert.Contains("PAGE CODE is 0x80, expected 0x83", e1);
        Assert.False(SupportedVpdPages.TryParse(b.AsSpan(0, 3), out _, out var e2));
        Assert.Contains("page header", e2);
    }

    private static readonly byte[] Naa6 = Convert.FromHexString("6001405ABCDEF0123456789ABCDEF012");

    [Fact]
    public void Device_identification_round_trip_naa_t10_eui()
    {
        var page = new DeviceIdentificationPage(
        [
            Designator.T10("HWFENCE", "disk0-serial"),
            Designator.Naa(Naa6),
            Designator.Eui64(Convert.FromHexString("0011223344556677")),
            new Designator(DesignatorType.RelativeTargetPort, DesignatorCodeSet.Binary, DesignatorAssociation.TargetPort, 5, true, [0, 0, 0, 2]),
        ]);
        var b = new byte[256];
        int n = page.Write(b);

        var parsed = DeviceIdentificationPage.Parse(b.AsSpan(0, n));

        Assert.Equal(4, parsed.Designators.Count);
        Assert.Equal("t10.HWFENCE disk0-serial", parsed.Designators[0].ToString());
        Assert.Equal("naa.6001405abcdef0123456789abcdef012", parsed.Designators[1].ToString());
        Assert.Equal("eui.0011223344556677", parsed.Designators[2].ToString());
        Assert.Equal("relative target port 2", parsed.Designators[3].ToString());
        Assert.Equal(DesignatorAssociation.TargetPort, parsed.Designators[3].Association);
        Assert.True(parsed.Designators[3].ProtocolIdentifierValid);
        Assert.Equal((byte)5, parsed.Designators[3].ProtocolIdentifier);
        Assert.Equal(DesignatorType.Naa, parsed.LogicalUnitId!.Type); // NAA preferred over T10
    }

    [Fact]
    public void Device_identification_rejects_bad_designator_lengths_naming_the_offset()
    {
        var bad = new Designator(DesignatorType.Naa, DesignatorCodeSet.Binary, DesignatorAssociation.LogicalUnit, 0, false, Naa6[..12]);
        var b = new byte[64];
        int n = new DeviceIdentificationPage([Designator.T10("V", "s"), bad]).Write(b);

        Assert.False(DeviceIdentificationPage.TryParse(b.AsSpan(0, n), out _, out var e));
        Assert.Contains("descriptor at byte 17", e);
        Assert.Contains("NAA 6h designator must be 16 bytes, is 12", e);
    }

    [Theory]
    [InlineData(DesignatorType.Eui64, 7, "EUI-64")]
    [InlineData(DesignatorType.T10VendorId, 7, "T10 vendor ID")]
    [InlineData(DesignatorType.RelativeTargetPort, 2, "RelativeTargetPort")]
    public void Designator_length_rules(DesignatorType type, int length, string named)
    {
        var b = new byte[4 + length];
        new Designator(type, DesignatorCodeSet.Binary, DesignatorAssociation.LogicalUnit, 0, false, new byte[length]).Write(b);
        Assert.False(Designator.TryParse(b, out _, out var e));
        Assert.Contains(named, e);
    }

    [Fact]
    public void Descriptor_longer_than_the_page_is_an_error_unless_the_page_was_cut()
    {
        var b = new byte[256];
        int n = new DeviceIdentificationPage([Designator.Naa(Naa6), Designator.T10("V", "s")]).Write(b);

        // Cut by allocation length: keep the whole descriptors that arrived.
        var cut = DeviceIdentificationPage.Parse(b.AsSpan(0, n - 3));
        Assert.Single(cut.Designators);

        // Not cut, but a descriptor claims more than the page holds.
        b[4 + 3] = 200;
        Assert.False(DeviceIdentificationPage.TryParse(b.AsSpan(0, n), out _, out var e));
        Assert.Contains("DESIGNATOR LENGTH is 200", e);
    }
}

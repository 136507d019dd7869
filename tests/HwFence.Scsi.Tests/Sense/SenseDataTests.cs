using HwFence.Scsi.Sense;
using HwFence.Scsi.Tests.Fakes;

namespace HwFence.Scsi.Tests.Sense;

public sealed class SenseDataTests
{
    [Fact]
    public void Fixed_round_trip_with_information_and_key_specific()
    {
        var b = new byte[18];
        SenseData.WriteFixed(b, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, new SenseKeySpecific(true, 2, 5), information: 0x01020304);

        var s = SenseData.Parse(b);

        Assert.Equal(SenseKey.IllegalRequest, s.Key);
        Assert.Equal(AdditionalSense.InvalidFieldInCdb, s.Additional);
        Assert.Equal(0x01020304UL, s.Information);
        Assert.Equal(new SenseKeySpecific(true, 2, 5), s.KeySpecific);
        Assert.False(s.Descriptor);
        Assert.Equal("ILLEGAL REQUEST: INVALID FIELD IN CDB (24/00) [CDB byte 2 bit 5]", s.ToString());
    }

    [Fact]
    public void Descriptor_round_trip()
    {
        var b = new byte[16];
        int n = SenseData.WriteDescriptor(b, SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted, new SenseKeySpecific(false, 8, null));

        var s = SenseData.Parse(b.AsSpan(0, n));

        Assert.True(s.Descriptor);
        Assert.True(s.IsUnitAttention);
        Assert.Equal("REGISTRATIONS PREEMPTED", s.Additional.Name);
        Assert.Equal(new SenseKeySpecific(false, 8, null), s.KeySpecific);
    }

    [Fact]
    public void Deferred_codes_are_flagged()
    {
        Assert.True(SenseData.Parse([0x71, 0, 0x06]).Deferred);
        Assert.True(SenseData.Parse([0x73, 0x06, 0x29, 0x00]).Deferred);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0x70, 0 }, "need at least 3")]
    [InlineData(new byte[] { 0x72, 6, 0x29 }, "need 4")]
    [InlineData(new byte[] { 0x7F }, "unknown sense response code 0x7F")]
    [InlineData(new byte[] { 0x72, 6, 0x29, 0, 0, 0, 0, 4, 0x00, 9, 0, 0 }, "claims 9 bytes")]
    public void Malformed_sense_gives_a_clear_error(byte[] bytes, string expected)
    {
        Assert.False(SenseData.TryParse(bytes, out _, out var e));
        Assert.Contains(expected, e);
        var ex = Assert.Throws<SenseDataFormatException>(() => SenseData.Parse(bytes));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Short_fixed_sense_still_yields_the_key()
    {
        var s = SenseData.Parse([0x70, 0, 0x02, 0, 0, 0, 0, 0]);
        Assert.Equal(SenseKey.NotReady, s.Key);
        Assert.Equal(AdditionalSense.None, s.Additional);
    }

    [Fact]
    public void Unknown_codes_print_as_hex()
    {
        Assert.Equal("ASC 0x99 ASCQ 0x01", new AdditionalSense(0x99, 0x01).Name);
        Assert.Equal("SENSE KEY 0xC", SenseKeyNames.Name((SenseKey)0xC));
    }

    [Fact]
    public void Fuzz_mutated_sense_never_throws_from_TryParse()
    {
        var rng = new Random(20261122);
        var seeds = new List<byte[]>();
        var f = new byte[18];
        SenseData.WriteFixed(f, SenseKey.UnitAttention, AdditionalSense.ReservationsPreempted, new SenseKeySpecific(true, 1, 2), 7);
        seeds.Add(f);
        var d = new byte[16];
        SenseData.WriteDescriptor(d, SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, new SenseKeySpecific(true, 1, null));
        seeds.Add(d);
        byte[] info = [0x72, 3, 0x11, 0, 0, 0, 0, 12, 0x00, 0x0A, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        seeds.Add(info);

        for (int i = 0; i < 20_000; i++)
        {
            var input = Fuzz.Mutate(rng, seeds[i % seeds.Count]);
            bool ok = SenseData.TryParse(input, out var s, out var error);
            Assert.True(ok ^ (error is not null), "exactly one of result/error");
            if (ok)
            {
                _ = s.ToString();
            }
        }
    }
}

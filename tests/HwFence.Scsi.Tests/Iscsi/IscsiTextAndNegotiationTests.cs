using System.Text;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Login;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>key=value text (RFC 7143 §6.1) and the negotiation rules of §6.2 / §13.</summary>
public sealed class IscsiTextAndNegotiationTests
{
    [Fact]
    public void Text_round_trips_and_keeps_order_and_repeats()
    {
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("TargetName", "iqn.2026-01.a:b"),
            new("TargetAddress", "127.0.0.1:3260,1"),
            new("TargetName", "iqn.2026-01.a:c"),
            new("InitiatorAlias", "nœud-1"),
        };
        byte[] text = IscsiTextParameters.Encode(pairs);
        Assert.Equal(0, text[^1]);
        Assert.Equal(pairs, IscsiTextParameters.Parse(text));
    }

    [Theory]
    [InlineData("novalue\0", "no '='")]
    [InlineData("=x\0", "key length 0")]
    [InlineData("Bad Key=x\0", "contains byte 0x20")]
    public void Malformed_text_names_the_pair(string text, string expected)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        Assert.False(IscsiTextParameters.TryParse(Encoding.UTF8.GetBytes(text), IscsiTextLimits.Default, pairs, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var tight = new IscsiTextLimits { MaxKeyLength = 3, MaxValueLength = 3, MaxPairs = 2, MaxTotalBytes = 32 };
        var pairs = new List<KeyValuePair<string, string>>();
        Assert.False(IscsiTextParameters.TryParse("Long=1\0"u8, tight, pairs, out string? error));
        Assert.Contains("key length 4", error, StringComparison.Ordinal);
        pairs.Clear();
        Assert.False(IscsiTextParameters.TryParse("K=1234\0"u8, tight, pairs, out error));
        Assert.Contains("value of 4 bytes", error, StringComparison.Ordinal);
        pairs.Clear();
        Assert.False(IscsiTextParameters.TryParse("A=1\0B=2\0C=3\0"u8, tight, pairs, out error));
        Assert.Contains("more than 2", error, StringComparison.Ordinal);
        pairs.Clear();
        Assert.False(IscsiTextParameters.TryParse(new byte[33], tight, pairs, out error));
        Assert.Contains("exceeds the limit of 32", error, StringComparison.Ordinal);
        pairs.Clear();
        Assert.False(IscsiTextParameters.TryParse([(byte)'K', (byte)'=', 0xC3, 0x28, 0], IscsiTextLimits.Default, pairs, out error));
        Assert.Contains("not valid UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Seeded_mutation_fuzz_of_the_text_parser_never_throws()
    {
        var rng = new Random(7143);
        byte[] seed = IscsiTextParameters.Encode([new("HeaderDigest", "CRC32C,None"), new("CHAP_C", "0x" + new string('a', 64)), new("MaxBurstLength", "262144")]);
        var limits = new IscsiTextLimits { MaxValueLength = 40, MaxPairs = 4 };
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = (byte[])seed.Clone();
            for (int m = rng.Next(1, 8); m > 0; m--)
            {
                input[rng.Next(input.Length)] = (byte)rng.Next(256);
            }

            input = input.AsSpan(0, rng.Next(input.Length + 1)).ToArray();
            var pairs = new List<KeyValuePair<string, string>>();
            try
            {
                if (IscsiTextParameters.TryParse(input, limits, pairs, out string? error))
                {
                    Assert.Null(error);
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(error));
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"iteration {i}: {e.GetType().Name} escaped TryParse for {Convert.ToHexString(input)}");
            }
        }
    }

    [Theory]
    [InlineData("HeaderDigest", "CRC32C,None", "None,CRC32C", "CRC32C")] // first of the offerer's list the responder supports
    [InlineData("HeaderDigest", "CRC32C", "None", "Reject")]
    [InlineData("ImmediateData", "Yes", "No", "No")]                      // Boolean AND
    [InlineData("ImmediateData", "Yes", "Yes", "Yes")]
    [InlineData("InitialR2T", "No", "Yes", "Yes")]                        // Boolean OR
    [InlineData("InitialR2T", "No", "No", "No")]
    [InlineData("MaxBurstLength", "262144", "65536", "65536")]            // numerical minimum
    [InlineData("FirstBurstLength", "1024", "65536", "1024")]
    [InlineData("DefaultTime2Wait", "2", "5", "5")]                       // numerical maximum
    [InlineData("MaxBurstLength", "100", "65536", "Reject")]              // below 512
    [InlineData("ImmediateData", "Maybe", "Yes", "Reject")]
    [InlineData("X-com.example.Foo", "1", "", "NotUnderstood")]
    public void Responder_rules(string key, string offered, string local, string expected) =>
        Assert.Equal(expected, IscsiNegotiation.Respond(key, offered, local));

    [Fact]
    public void Declarative_keys_get_no_answer() =>
        Assert.Null(IscsiNegotiation.Respond("MaxRecvDataSegmentLength", "8192", "262144"));

    [Theory]
    [InlineData("HeaderDigest", "CRC32C,None", "None", true, "None")]
    [InlineData("HeaderDigest", "CRC32C", "None", false, null)]
    [InlineData("HeaderDigest", "None", "CRC32C,None", false, null)]
    [InlineData("ImmediateData", "Yes", "No", true, "No")]
    [InlineData("ImmediateData", "No", "Yes", false, null)]
    [InlineData("InitialR2T", "Yes", "No", false, null)]
    [InlineData("InitialR2T", "No", "Yes", true, "Yes")]
    [InlineData("MaxBurstLength", "262144", "65536", true, "65536")]
    [InlineData("MaxBurstLength", "65536", "262144", false, null)]
    [InlineData("DefaultTime2Wait", "2", "1", false, null)]
    [InlineData("DefaultTime2Wait", "2", "3", true, "3")]
    [InlineData("DataDigest", "None", "Irrelevant", true, "None")]
    [InlineData("MaxBurstLength", "65536", "Reject", false, null)]
    public void Offerer_checks_the_answer(string key, string offered, string answer, bool ok, string? result)
    {
        Assert.Equal(ok, IscsiNegotiation.TryAccept(key, offered, answer, out string r, out string? error));
        if (ok)
        {
            Assert.Equal(result, r);
        }
        else
        {
            Assert.Contains(key, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unanswered_boolean_keys_decided_by_the_offer()
    {
        Assert.Equal("No", IscsiNegotiation.ResultWhenUnanswered("ImmediateData", "No"));
        Assert.Null(IscsiNegotiation.ResultWhenUnanswered("ImmediateData", "Yes"));
        Assert.Equal("Yes", IscsiNegotiation.ResultWhenUnanswered("InitialR2T", "Yes"));
        Assert.Null(IscsiNegotiation.ResultWhenUnanswered("MaxBurstLength", "65536"));
    }

    [Fact]
    public void Operational_parameters_apply_results_and_keep_FirstBurst_within_MaxBurst()
    {
        var p = new IscsiOperationalParameters();
        Assert.True(p.TryApply("MaxBurstLength", "16384", false, out _));
        Assert.True(p.TryApply("MaxRecvDataSegmentLength", "4096", true, out _));
        Assert.True(p.TryApply("HeaderDigest", "CRC32C", false, out _));
        Assert.Equal(16384, p.FirstBurstLength);
        Assert.Equal(4096, p.PeerMaxRecvDataSegmentLength);
        Assert.Equal(8192, p.MaxRecvDataSegmentLength);
        Assert.True(p.HeaderDigest);
        Assert.False(p.TryApply("MaxBurstLength", "99999999", false, out string? error));
        Assert.Contains("MaxBurstLength", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_validator_names_every_problem()
    {
        var bad = new IscsiInitiatorOptions
        {
            InitiatorName = "not an iqn",
            FirstBurstLength = 1 << 20,
            MaxBurstLength = 65536,
            MaxRecvDataSegmentLength = 100,
            Isid = 1UL << 50,
            Chap = new IscsiChapCredentials("u", "same", "t", "same"),
        };
        var errors = IscsiInitiatorOptionsValidator.Validate(bad);
        Assert.Contains(errors, e => e.Contains("InitiatorName", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("FirstBurstLength", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxRecvDataSegmentLength 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("48 bits", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("must differ", StringComparison.Ordinal));
        Assert.Empty(IscsiInitiatorOptionsValidator.Validate(new IscsiInitiatorOptions { InitiatorName = "iqn.2026-01.org.example:node1" }));
    }

    [Fact]
    public void Derived_isid_is_stable_random_format_and_differs_per_name()
    {
        ulong a = IscsiInitiatorOptions.DeriveIsid("iqn.2026-01.org.example:node1");
        Assert.Equal(a, IscsiInitiatorOptions.DeriveIsid("iqn.2026-01.org.example:node1"));
        Assert.NotEqual(a, IscsiInitiatorOptions.DeriveIsid("iqn.2026-01.org.example:node2"));
        Assert.Equal(0b10UL, a >> 46); // T = 10b: "Random" (RFC 7143 §11.12.5)
        Assert.True(a <= 0xFFFF_FFFF_FFFFUL);
    }
}

using HwFence.Fencing.Scsi;

namespace HwFence.Fencing.Tests.Scsi;

public class RegistrationKeyTests
{
    // fence_scsi's key_value=id layout, "%.4s%.4d" % (md5(cluster_name).hexdigest(), N), with the corosync
    // nodeid as N (fence_scsi puts the nodelist position there; FenceAgentKeyScheme derives those keys).
    // md5("hacluster") = fb0c…, md5("mycluster") = 6c9d… (python3 hashlib).
    [Theory]
    [InlineData("hacluster", 1, "0xfb0c0001")]
    [InlineData("hacluster", 2, "0xfb0c0002")]
    [InlineData("hacluster", 12, "0xfb0c0012")]
    [InlineData("mycluster", 9999, "0x6c9d9999")]
    public void Derive_uses_fence_scsis_layout_and_prints_like_sg_persist(string cluster, int node, string expected)
    {
        var key = RegistrationKey.Derive(cluster, node);
        Assert.Equal(expected, key.ToString());
        Assert.True(key.IsValid);
        Assert.True(key.TryGetNodeId(out var id));
        Assert.Equal(node, id);
        Assert.True(key.BelongsTo(cluster));
        Assert.False(key.BelongsTo(cluster + "-other"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10000)]
    public void Derive_refuses_node_ids_that_do_not_fit_or_would_be_zero(int node)
    {
        Assert.False(RegistrationKey.TryDerive("hacluster", node, out _, out var error));
        Assert.Contains("node id", error);
        Assert.Throws<ArgumentException>(() => RegistrationKey.Derive("hacluster", node));
    }

    [Fact]
    public void Derive_refuses_an_empty_cluster_name()
    {
        Assert.False(RegistrationKey.TryDerive(" ", 1, out _, out var error));
        Assert.Contains("cluster name", error);
    }

    [Fact]
    public void Every_node_id_gives_a_distinct_nonzero_key()
    {
        var seen = new HashSet<ulong>();
        for (int n = 1; n <= RegistrationKey.MaxNodeId; n++)
        {
            var key = RegistrationKey.Derive("x", n);
            Assert.NotEqual(0UL, key.Value);
            Assert.True(seen.Add(key.Value));
        }
    }

    [Theory]
    [InlineData("0xfb0c0002", 0xfb0c0002UL)]
    [InlineData("FB0C0002", 0xfb0c0002UL)]
    [InlineData(" 0x1 ", 1UL)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    public void Parse_reads_sg_persist_and_fence_scsi_spellings(string text, ulong value)
    {
        Assert.True(RegistrationKey.TryParse(text, out var key, out _));
        Assert.Equal(value, key.Value);
        Assert.Equal(key, RegistrationKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData("", "1 to 16")]
    [InlineData("0x", "1 to 16")]
    [InlineData("0", "cannot be zero")]
    [InlineData("0x00000", "cannot be zero")]
    [InlineData("xyz", "not hexadecimal")]
    [InlineData("0x12345678901234567", "1 to 16")]
    public void Parse_rejects_bad_keys_naming_the_problem(string text, string expected)
    {
        Assert.False(RegistrationKey.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        Assert.Throws<FormatException>(() => RegistrationKey.Parse(text));
    }

    [Fact]
    public void Wire_form_is_big_endian()
    {
        Span<byte> b = stackalloc byte[8];
        new RegistrationKey(0x0102030405060708).WriteTo(b);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, b.ToArray());
        Assert.Equal(0x0102030405060708UL, RegistrationKey.ReadFrom(b).Value);
    }

    [Fact]
    public void Keys_of_another_scheme_have_no_node_id()
    {
        Assert.False(new RegistrationKey(0xabcdef).TryGetNodeId(out _));
        Assert.False(new RegistrationKey(0x1_0000_0001).TryGetNodeId(out _));
    }
}

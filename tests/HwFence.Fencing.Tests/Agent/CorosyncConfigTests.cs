using HwFence.Fencing.Agent;

namespace HwFence.Fencing.Tests.Agent;

public class CorosyncConfigTests
{
    public const string Sample = """
        totem {
            version: 2
            cluster_name: hacluster   # the name keys derive from
            transport: knet
        }

        nodelist {
            node {
                ring0_addr: 10.0.0.1
                name: alpha
                nodeid: 1
            }
            node {
                ring0_addr: 10.0.0.2
                name: beta
                nodeid: 2
            }
        }

        quorum {
            provider: corosync_votequorum
            two_node: 1
        }
        """;

    [Fact]
    public void Reads_cluster_name_and_nodelist()
    {
        Assert.True(CorosyncConfig.TryParse(Sample, out var c, out var error), error);
        Assert.Equal("hacluster", c.ClusterName);
        Assert.Equal(2, c.Nodes.Count);
        Assert.True(c.TryResolveNodeId("beta", out var id));
        Assert.Equal(2, id);
        Assert.True(c.TryResolveNodeId("10.0.0.1", out id));
        Assert.Equal(1, id);
        Assert.True(c.TryResolveNodeId("7", out id));
        Assert.Equal(7, id);
        Assert.False(c.TryResolveNodeId("gamma", out _));
        Assert.Equal("alpha", c.NameOf(1));
        Assert.Equal("9", c.NameOf(9));
    }

    [Theory]
    [InlineData("totem {\n cluster_name: x\n", "not closed")]
    [InlineData("}\n", "line 1")]
    [InlineData("nodelist {\n node {\n nodeid: one\n }\n}\n", "nodeid")]
    public void Errors_name_the_line(string text, string expected)
    {
        Assert.False(CorosyncConfig.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    /// <summary>cmap's nodelist.node.N — what fence_scsi's key_value=id puts in the key — counts every node block in file order.</summary>
    [Fact]
    public void Positions_count_node_blocks_in_file_order_from_zero()
    {
        const string text = """
            nodelist {
                node {
                    name: gamma
                    nodeid: 7
                }
                node {
                    ring0_addr: 10.0.0.9
                }
                node {
                    name: delta
                    nodeid: 3
                }
            }
            """;
        Assert.True(CorosyncConfig.TryParse(text, out var c, out var error), error);
        Assert.Equal(0, c.Find("gamma")!.Position);
        Assert.Equal(2, c.Find("delta")!.Position);
        Assert.Equal(2, c.Find("3")!.Position);
        Assert.Null(c.Find("epsilon"));
        Assert.True(CorosyncConfig.TryParse(Sample, out var sample, out _));
        Assert.Equal([0, 1], sample.Nodes.Select(n => n.Position));
    }
}

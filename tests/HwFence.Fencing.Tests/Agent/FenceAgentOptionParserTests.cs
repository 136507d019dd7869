using HwFence.Fencing.Agent;

namespace HwFence.Fencing.Tests.Agent;

public class FenceAgentOptionParserTests
{
    [Fact]
    public void Stdin_as_pacemaker_sends_it()
    {
        const string stdin = """
            # comment line
            agent=fence_hwfence
            action=off
              port=node2
            nodename=node2
            devices=/dev/sdb,iscsi://127.0.0.1:3260/iqn.2026-01.org.hwfence:disk/1 /dev/sdc
            pcmk_host_list=node1 node2
            aptpl=1
            key=0xfb0c0002
            delay=2.5
            """;
        Assert.True(FenceAgentOptionParser.TryParseStdin(stdin, out var o, out var error), error);
        Assert.Equal(FenceAgentAction.Off, o.Action);
        Assert.Equal("node2", o.Target);
        Assert.Equal(["/dev/sdb", "iscsi://127.0.0.1:3260/iqn.2026-01.org.hwfence:disk/1", "/dev/sdc"], o.Devices);
        Assert.True(o.Aptpl);
        Assert.Equal(0xfb0c0002UL, o.Key!.Value.Value);
        Assert.Equal(TimeSpan.FromSeconds(2.5), o.Delay);
        Assert.Contains("agent", o.Ignored);
        Assert.Contains("pcmk_host_list", o.Ignored);
    }

    [Fact]
    public void Stdin_last_value_wins_and_option_is_an_alias_of_action_and_nodename_beats_plug()
    {
        Assert.True(FenceAgentOptionParser.TryParseStdin("option=status\naction=on\nplug=a\nnodename=b\r\n", out var o, out _));
        Assert.Equal(FenceAgentAction.On, o.Action);
        Assert.Equal("b", o.Target);
        Assert.True(FenceAgentOptionParser.TryParseStdin("option=status\n", out o, out _));
        Assert.Equal(FenceAgentAction.Status, o.Action);
    }

    [Fact]
    public void Default_action_is_off()
    {
        Assert.True(FenceAgentOptionParser.TryParseStdin("plug=1\n", out var o, out _));
        Assert.Equal(FenceAgentAction.Off, o.Action);
    }

    [Theory]
    [InlineData("action=explode\n", "action \"explode\"")]
    [InlineData("key=0\n", "cannot be zero")]
    [InlineData("key=zz\n", "not hexadecimal")]
    [InlineData("delay=soon\n", "delay")]
    [InlineData("io_timeout=0\n", "io_timeout")]
    [InlineData("just some text\n", "line 1")]
    [InlineData("=value\n", "line 1")]
    public void Stdin_errors_name_the_parameter_or_line(string stdin, string expected)
    {
        Assert.False(FenceAgentOptionParser.TryParseStdin(stdin, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Flags_in_every_getopt_spelling()
    {
        string[] args = ["-o", "status", "-n", "node3", "--devices=/dev/sdb", "-k0xfb0c0003", "-a", "--cluster-name", "hacluster", "--verbose"];
        Assert.True(FenceAgentOptionParser.TryParseArguments(args, out var o, out var error), error);
        Assert.Equal(FenceAgentAction.Status, o.Action);
        Assert.Equal("node3", o.Target);
        Assert.Equal(["/dev/sdb"], o.Devices);
        Assert.Equal(0xfb0c0003UL, o.Key!.Value.Value);
        Assert.True(o.Aptpl);
        Assert.True(o.Verbose);
        Assert.Equal("hacluster", o.ClusterName);

        Assert.True(FenceAgentOptionParser.TryParseArguments(["--action=list-status", "--plug", "x", "--nodename=y", "--port", "z"], out o, out _));
        Assert.Equal(FenceAgentAction.ListStatus, o.Action);
        Assert.Equal("y", o.Target);
    }

    [Theory]
    [InlineData(new[] { "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "-Z" }, "-Z")]
    [InlineData(new[] { "-o" }, "missing its value")]
    [InlineData(new[] { "node2" }, "not a flag")]
    [InlineData(new[] { "-afoo" }, "takes no value")]
    public void Flag_errors_name_the_flag(string[] args, string expected)
    {
        Assert.False(FenceAgentOptionParser.TryParseArguments(args, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Seeded_mutations_of_stdin_never_throw()
    {
        var rng = new Random(1234);
        const string seed = "action=off\nplug=node2\ndevices=/dev/sdb,/dev/sdc\nkey=0xfb0c0002\ndelay=1\naptpl=yes\n";
        for (int i = 0; i < 5000; i++)
        {
            var chars = seed.ToCharArray();
            int mutations = rng.Next(1, 6);
            for (int m = 0; m < mutations; m++)
            {
                chars[rng.Next(chars.Length)] = (char)rng.Next(0, 128);
            }

            _ = FenceAgentOptionParser.TryParseStdin(new string(chars), out _, out _);
            _ = FenceAgentOptionParser.TryParseArguments(new string(chars).Split('\n'), out _, out _);
        }
    }
}

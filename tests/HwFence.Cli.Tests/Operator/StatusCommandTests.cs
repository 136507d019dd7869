using System.Text.Json;
using HwFence.Cli.Commands.Operator;
using HwFence.Cli.Node;
using Xunit;

namespace HwFence.Cli.Tests.Operator;

public sealed class StatusCommandTests
{
    private const string Synthetic = """
        {
          "Cluster": {
            "Node": "n1", "Ready": true,
            "Peers": [ { "Node": "n2", "Id": 2, "Verdict": "Unknown", "Ready": true, "Incarnation": 7 } ],
            "Groups": [ { "Name": "g1", "Owners": ["n1","n2"], "QuorumPolicy": "majority", "HasQuorum": true } ],
            "Applications": [ { "Tag": "ledger", "Group": "g1", "Type": "process", "Host": "n1", "Primary": "n1", "Backups": ["n2","n3"], "AutoFailback": true, "State": "Running", "Marker": null } ],
            "RedundancyGroups": []
          },
          "Detector": null,
          "SelfFenced": false,
          "WrittenAt": "2026-01-01T00:00:00+00:00"
        }
        """;

    private static NodeStatusFile Parse() => JsonSerializer.Deserialize<NodeStatusFile>(Synthetic, NodeStatusFile.Json)!;

    [Fact]
    public void Render_ShowsPeersAppsAndGroups()
    {
        var text = StatusCommand.Render(Parse(), DateTimeOffset.Parse("2026-01-01T00:00:01+00:00"));
        Assert.Contains("node n1", text);
        Assert.Contains("verdict=Unknown", text);
        Assert.Contains("ledger", text);
        Assert.Contains("host=n1", text);
        Assert.Contains("backups=n2,n3", text);
        Assert.Contains("has-quorum=True", text);
        Assert.DoesNotContain("stale", text);
    }

    [Fact]
    public void Render_WarnsWhenStale()
    {
        var now = DateTimeOffset.Parse("2026-01-01T00:00:10+00:00");
        Assert.True(StatusCommand.IsStale(Parse(), now));
        Assert.Contains("daemon not running?", StatusCommand.Render(Parse(), now));
    }
}

public sealed class EventsCommandTests
{
    [Fact]
    public void Format_MalformedLine_IsMarkedNotThrown()
    {
        Assert.StartsWith("(unparsable)", EventsCommand.Format("{not json", raw: false));
        Assert.Equal("{not json", EventsCommand.Format("{not json", raw: true));
    }
}

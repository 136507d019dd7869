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
    public void Render_ShowsEveryPathOfEveryPeerAndIsolation()
    {
        var path = new HwFence.Detection.PathSnapshot(new HwFence.Heartbeat.PathId(HwFence.Heartbeat.PathKind.Lan, "ring0"), HwFence.Detection.PathState.Down, null, TimeSpan.FromMilliseconds(812), 9.1, 41, null);
        var pulse = path with { Path = new HwFence.Heartbeat.PathId(HwFence.Heartbeat.PathKind.Disk, "shared0"), State = HwFence.Detection.PathState.Up, Silence = TimeSpan.FromMilliseconds(90) };
        var peer = new HwFence.Detection.PeerSnapshot(2, "n2", HwFence.Detection.Verdict.Partitioned, 7, null, [path, pulse]);
        var status = Parse() with { Detector = new HwFence.Detection.DetectorSnapshot(DateTimeOffset.UnixEpoch, true, "every path to all 2 peers is Down", false, false, 0, [peer]) };
        var text = StatusCommand.Render(status, DateTimeOffset.Parse("2026-01-01T00:00:01+00:00"));
        Assert.Matches(@"n2\s+lan:ring0\s+Down\s+silent\s+812 ms", text);
        Assert.Matches(@"n2\s+disk:shared0\s+Up\s+silent\s+90 ms", text);
        Assert.Contains("ISOLATED: every path to all 2 peers is Down", text);
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

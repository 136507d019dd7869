using System.Runtime.CompilerServices;
using HwFence.Cli.Hil;

namespace HwFence.Cli.Tests.Hil;

public class HilScenarioParserTests
{
    internal static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private const string Good = """
        # comment
        name: demo-like
        description: Kill the host.
        steps:
          - wait: steady
          - kill: host
          - expect: { event: failover, within: 5s }
          - cut: { path: serial, node: victim }
          - hold: 1.5s
          - expect-not: { event: partition-alarm, node: first-backup, during: 500ms }
          - heal: { path: serial, node: victim }
          - restart: all
        """;

    [Fact]
    public void GoodFileGivesEveryStepWithItsLine()
    {
        Assert.True(HilScenarioParser.TryParse(Good, "good.yaml", out var s, out string error), error);
        Assert.Equal("demo-like", s!.Name);
        Assert.Equal("Kill the host.", s.Description);
        Assert.Equal(8, s.Steps.Count);
        Assert.Equal(new[] { 5, 6, 7, 8, 9, 10, 11, 12 }, s.Steps.Select(x => x.Line));
        Assert.Equal(HilVerb.Wait, s.Steps[0].Verb);
        Assert.Equal((HilVerb.Kill, HilRole.Host), (s.Steps[1].Verb, s.Steps[1].Role!.Value));
        Assert.Equal("failover-completed", s.Steps[2].Event);
        Assert.Equal(TimeSpan.FromSeconds(5), s.Steps[2].Duration);
        Assert.Equal((HilPath.Serial, HilRole.Victim), (s.Steps[3].Path!.Value, s.Steps[3].Role!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), s.Steps[4].Duration);
        Assert.Equal((HilVerb.ExpectNot, "partition-alarm", HilRole.FirstBackup, TimeSpan.FromMilliseconds(500)),
            (s.Steps[5].Verb, s.Steps[5].Event, s.Steps[5].Role!.Value, s.Steps[5].Duration));
        Assert.Equal(HilVerb.Heal, s.Steps[6].Verb);
        Assert.Equal((HilVerb.Restart, HilRole.All), (s.Steps[7].Verb, s.Steps[7].Role!.Value));
    }

    [Fact]
    public void EveryShippedScenarioParses()
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "hil", "scenarios"), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var s = HilScenarioParser.Load(f);
            Assert.Equal(Path.GetFileNameWithoutExtension(f), s.Name);
        }
    }

    [Theory]
    [InlineData("name: x\nsteps:\n  - wait: steady\n  - explode: host\n", "bad.yaml:4: step 2: unknown verb 'explode'")]
    [InlineData("name: x\nsteps:\n  - hold: 3 seconds\n", "bad.yaml:3: step 1: hold: duration '3 seconds'")]
    [InlineData("name: x\nsteps:\n  - wait: steady\n  - expect: { event: meltdown, within: 5s }\n", "bad.yaml:4: step 2: expect: field 'event': unknown event 'meltdown'")]
    [InlineData("name: x\nsteps:\n  - expect: { event: failover }\n", "bad.yaml:3: step 1: expect: field 'within'")]
    [InlineData("name: x\nsteps:\n  - cut: { path: power, node: host }\n", "bad.yaml:3: step 1: cut: field 'path' must be lan, serial or disk")]
    [InlineData("name: x\nsteps:\n  - cut: { path: lan, node: all }\n", "bad.yaml:3: step 1: cut: field 'node': node role 'all'")]
    [InlineData("name: x\nsteps:\n  - kill: everyone\n", "bad.yaml:3: step 1: kill: node role 'everyone'")]
    [InlineData("name: x\nsteps:\n  - wait: steady\n    kill: host\n", "bad.yaml:3: step 1: a step is a mapping with exactly one verb")]
    [InlineData("description: no name\nsteps:\n  - wait: steady\n", "bad.yaml:1: field 'name' is missing")]
    [InlineData("name: x\nsteps: []\n", "bad.yaml:1: field 'steps' must be a non-empty list")]
    [InlineData("name: x\nstep:\n  - wait: steady\n", "bad.yaml:2: unknown field 'step'")]
    [InlineData("name: x\nsteps:\n  - wait: [steady\n", "bad.yaml:")]
    [InlineData("", "bad.yaml:1: a scenario is a mapping")]
    public void MalformedFileNamesFileLineAndStep(string text, string expected)
    {
        Assert.False(HilScenarioParser.TryParse(text, "bad.yaml", out var s, out string error));
        Assert.Null(s);
        Assert.StartsWith(expected.Split(": ")[0], error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadThrowsFormatExceptionForAMissingFile()
    {
        var e = Assert.Throws<FormatException>(() => HilScenarioParser.Load("/nonexistent/x.yaml"));
        Assert.Contains("/nonexistent/x.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MutatedScenariosNeverThrow()
    {
        var random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            var chars = Good.ToCharArray();
            for (int m = 0; m < 1 + random.Next(4); m++)
            {
                const string noise = "{}[]:-, \n#\"'x0s";
                chars[random.Next(chars.Length)] = noise[random.Next(noise.Length)];
            }

            string text = new(chars);
            bool ok = HilScenarioParser.TryParse(text, "m.yaml", out var s, out string error);
            Assert.True(ok ? s is not null : error.StartsWith("m.yaml:", StringComparison.Ordinal), $"{error}\n{text}");
        }
    }

    [Fact]
    public void ShippedRigsParseAndDescribeTheirKind()
    {
        Assert.True(HilRigConfig.TryParse(File.ReadAllText(Path.Combine(RepoRoot(), "hil", "rigs", "emulated.yaml")), "emulated.yaml", out var rig, out string error), error);
        Assert.Equal(("emulated", 3), (rig!.Kind, rig.Nodes));
        Assert.True(HilRigConfig.TryParse(File.ReadAllText(Path.Combine(RepoRoot(), "hil", "rigs", "example-bench.yaml")), "bench.yaml", out rig, out error), error);
        Assert.Equal("bench", rig!.Kind);
    }

    [Theory]
    [InlineData("kind: emulated\nnodes: 9\n", "r.yaml:2: field 'nodes' must be 2-5")]
    [InlineData("kind: cloud\n", "r.yaml:1: field 'kind' must be emulated or bench")]
    [InlineData("kind: emulated\njitter: soon\n", "r.yaml:2: field 'jitter'")]
    public void MalformedRigNamesLineAndField(string text, string expected)
    {
        Assert.False(HilRigConfig.TryParse(text, "r.yaml", out _, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}

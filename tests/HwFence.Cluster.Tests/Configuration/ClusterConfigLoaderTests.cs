using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Tests.Configuration;

public class ClusterConfigLoaderTests
{
    private const string Minimal = """
        cluster:
          name: t
          id: 1
          key_file: /k
        nodes:
          - id: 1
            name: alpha
            lan: [127.0.0.1:7001]
          - id: 2
            name: beta
            lan: [127.0.0.1:7002]
            disks:
              - { name: d0, address: "emu:d0" }
          - id: 3
            name: gamma
            lan: [127.0.0.1:7003]
        groups:
          - name: g
            owners: [alpha, beta, gamma]
            fencing: [scsi3-pr:d0]
        applications:
          - tag: app
            group: g
            command:
              argv: [/bin/true]
        """;

    private static IReadOnlyList<ConfigError> Errors(string yaml)
    {
        Assert.False(ClusterConfigLoader.TryLoad(yaml, "c.yaml", out var config, out var errors));
        Assert.Null(config);
        return errors;
    }

    [Fact]
    public void ExampleConfigInTheRepositoryIsValid()
    {
        string path = Path.Combine(RepoRoot(), "examples", "cluster.yaml");
        Assert.True(ClusterConfigLoader.TryLoad(path, out var config, out var errors), string.Join("\n", errors));
        Assert.Equal(3, config!.Nodes.Count);
        var shop = config.FindApplication("shop")!;
        Assert.Equal(ApplicationType.ClusterAware, shop.Type);
        Assert.Equal(["gamma", "alpha"], shop.Backups);
        Assert.False(shop.AutoFailback);
        Assert.Equal(QuorumPolicy.DiskTiebreak, config.FindGroup("db")!.Quorum);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Timings.Deadtime);
        Assert.Equal("5432", config.FindApplication("pgsql")!.Command.Env["PGPORT"]);
    }

    [Fact]
    public void MinimalConfigGetsDefaultsFromTheGroup()
    {
        Assert.True(ClusterConfigLoader.TryLoad(Minimal, "c.yaml", out var config, out var errors), string.Join("\n", errors));
        var app = config!.FindApplication("app")!;
        Assert.Equal("alpha", app.Primary);
        Assert.Equal(["beta", "gamma"], app.Backups);
        Assert.True(app.AutoFailback);
        Assert.Equal(3, app.RestartLimit);
    }

    [Fact]
    public void UnknownKeyNamesLineFieldAndSuggestsTheKnownKey()
    {
        var errors = Errors(Minimal.Replace("      argv: [/bin/true]", "      argv: [/bin/true]\n    auto_failbak: true"));
        var e = Assert.Single(errors);
        Assert.Equal("c.yaml", e.File);
        Assert.Equal(26, e.Line);
        Assert.Equal("applications[0].auto_failbak", e.Field);
        Assert.Contains("did you mean 'auto_failback'", e.Message);
        Assert.StartsWith("c.yaml:26:5: applications[0].auto_failbak:", e.ToString());
    }

    [Fact]
    public void SerialBaudDefaultsTo115200AndAnUnsupportedRateNamesTheFieldAndTheRates()
    {
        const string cabled = "    lan: [127.0.0.1:7001]\n    serial:\n      - { peer: beta, tty: /dev/ttyS1 }\n      - { peer: gamma, tty: /dev/ttyUSB0, baud: 19200 }\n";
        string yaml = Minimal.Replace("    lan: [127.0.0.1:7001]\n", cabled);
        Assert.NotEqual(Minimal, yaml);
        Assert.True(ClusterConfigLoader.TryLoad(yaml, "c.yaml", out var config, out var errors), string.Join("\n", errors));
        Assert.Equal([115200, 19200], config!.FindNode("alpha")!.Serial.Select(s => s.Baud));

        var e = Assert.Single(Errors(yaml.Replace("baud: 19200", "baud: 14400")));
        Assert.Equal("nodes[0].serial[1].baud", e.Field);
        Assert.Contains("14400 baud is not supported; use one of 9600, 19200", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTopLevelKeyIsAnError()
    {
        var e = Assert.Single(Errors(Minimal + "\ntimming:\n  deadtime: 10s\n"));
        Assert.Equal("timming", e.Field);
        Assert.Contains("did you mean 'timings'", e.Message);
    }

    [Fact]
    public void OwnerThatIsNoNodeNamesTheListItemAndSuggests()
    {
        var e = Assert.Single(Errors(Minimal.Replace("owners: [alpha, beta, gamma]", "owners: [alpha, betta, gamma]")));
        Assert.Equal("groups[0].owners[1]", e.Field);
        Assert.Equal(19, e.Line);
        Assert.Contains("'betta' is not a node", e.Message);
        Assert.Contains("did you mean 'beta'", e.Message);
    }

    [Fact]
    public void MissingRequiredFieldIsReportedAtItsMapping()
    {
        var e = Assert.Single(Errors(Minimal.Replace("  key_file: /k\n", "")));
        Assert.Equal("cluster.key_file", e.Field);
        Assert.Equal(2, e.Line);
        Assert.Contains("required", e.Message);
    }

    [Fact]
    public void WrongTypesNameTheValue()
    {
        var errors = Errors(Minimal.Replace("id: 1\n  key_file", "id: one\n  key_file"));
        Assert.Contains(errors, e => e.Field == "cluster.id" && e.Message.Contains("'one'") && e.Line == 3);
    }

    [Fact]
    public void TwoOwnerGroupUnderMajorityIsRefused()
    {
        var yaml = Minimal.Replace("owners: [alpha, beta, gamma]", "owners: [alpha, beta]\n    quorum: majority");
        Assert.Contains(Errors(yaml), e => e.Field == "groups[0].quorum" && e.Message.Contains("disk-tiebreak"));
    }

    [Fact]
    public void DiskTiebreakNeedsTheDiskOnBothOwners()
    {
        var yaml = Minimal.Replace("owners: [alpha, beta, gamma]", "owners: [alpha, beta]\n    quorum: disk-tiebreak\n    tiebreak_disk: d0");
        var e = Assert.Single(Errors(yaml));
        Assert.Contains("node 'alpha' lists no disk named 'd0'", e.Message);
    }

    [Fact]
    public void BackupOutsideTheGroupAndPrimaryAsBackupAreRefused()
    {
        var yaml = Minimal.Replace("      argv: [/bin/true]", "      argv: [/bin/true]\n    primary: alpha\n    backups: [alpha, delta]");
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.Field == "applications[0].backups[0]" && e.Message.Contains("is the primary"));
        Assert.Contains(errors, e => e.Field == "applications[0].backups[1]" && e.Message.Contains("not an owner"));
    }

    [Fact]
    public void DuplicateNodeIdsAreReported()
    {
        var e = Assert.Single(Errors(Minimal.Replace("id: 2\n", "id: 1\n")));
        Assert.Equal("nodes.id", e.Field);
        Assert.Contains("'1' is used twice", e.Message);
    }

    [Fact]
    public void TimingRelationsAreValidatedWithTheirLine()
    {
        var e = Assert.Single(Errors(Minimal + "\ntimings:\n  warntime: 12s\n  deadtime: 10s\n"));
        Assert.Equal("timings.deadtime", e.Field);
        Assert.Equal(28, e.Line);
        Assert.Contains("must exceed warntime", e.Message);
    }

    [Fact]
    public void BadDurationAndUnknownFencingMethod()
    {
        var errors = Errors(Minimal.Replace("fencing: [scsi3-pr:d0]", "fencing: [scsi3pr:d0]") + "\ntimings:\n  deadtime: ten\n");
        Assert.Contains(errors, e => e.Field == "timings.deadtime" && e.Message.Contains("duration"));
        Assert.Contains(errors, e => e.Field == "groups[0].fencing[0]" && e.Message.Contains("did you mean 'scsi3-pr'"));
    }

    [Fact]
    public void SyntaxErrorReportsItsLine()
    {
        var e = Assert.Single(Errors("cluster:\n  name: x\n  id: 'unterminated\nnodes: []\n"));
        Assert.Equal("(syntax)", e.Field);
        Assert.True(e.Line >= 3, e.ToString());
        Assert.Equal("(syntax)", Assert.Single(Errors("cluster:\n  name: [unclosed\nnodes: []\n")).Field);
    }

    [Fact]
    public void PartitionInTwoRedundancyGroupsIsRefused()
    {
        var yaml = Minimal + "\nredundancy_groups:\n  - { name: r1, members: [alpha, beta/x], tasks: [t] }\n  - { name: r2, members: [beta/x] }\n";
        Assert.Contains(Errors(yaml), e => e.Message.Contains("already belongs to redundancy group 'r1'"));
    }

    private const string Alphabet = " :-[]{}\n\tab1#&*!|>'\"";

    [Fact]
    public void MutatedConfigsNeverThrow()
    {
        // Seeded mutation loop: the loader must report errors, never crash.
        var random = new Random(1234);
        byte[] source = System.Text.Encoding.UTF8.GetBytes(Minimal);
        for (int i = 0; i < 500; i++)
        {
            byte[] mutated = source.ToArray();
            for (int k = 0; k < 1 + random.Next(4); k++)
            {
                mutated[random.Next(mutated.Length)] = (byte)Alphabet[random.Next(Alphabet.Length)];
            }

            string text = System.Text.Encoding.UTF8.GetString(mutated);
            bool ok = ClusterConfigLoader.TryLoad(text, "m.yaml", out var config, out var errors);
            Assert.Equal(ok, config is not null);
            Assert.True(ok || errors.Count > 0);
        }
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HwFence.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? "/work/main";
    }
}

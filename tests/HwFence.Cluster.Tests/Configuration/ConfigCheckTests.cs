using HwFence.Cluster.Configuration;

namespace HwFence.Cluster.Tests.Configuration;

/// <summary>What <c>hwfence config check</c> prints and returns.</summary>
public sealed class ConfigCheckTests : IDisposable
{
    private readonly string _bad = Path.Combine(Path.GetTempPath(), $"hwfence-bad-{Guid.NewGuid():N}.yaml");

    [Fact]
    public void ValidFilePrintsASummaryAndExitsZero()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string path = Path.Combine(ClusterConfigLoaderTests.RepoRoot(), "examples", "cluster.yaml");
        Assert.Equal(ConfigCheck.ExitValid, ConfigCheck.Run(path, json: false, output, error));
        Assert.Contains("OK — cluster 'demo' (id 42): 3 node(s), 2 group(s), 2 application(s)", output.ToString());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public void InvalidFilePrintsCompilerStyleLinesAndExitsOne()
    {
        string text = File.ReadAllText(Path.Combine(ClusterConfigLoaderTests.RepoRoot(), "examples", "cluster.yaml"))
            .Replace("owners: [beta, gamma, alpha]", "owners: [beta, gama, alpha]");
        File.WriteAllText(_bad, text);
        var error = new StringWriter();
        Assert.Equal(ConfigCheck.ExitInvalid, ConfigCheck.Run(_bad, json: false, new StringWriter(), error));
        int line = text.Split('\n').ToList().FindIndex(l => l.Contains("gama")) + 1;
        Assert.Contains($"{_bad}:{line}:", error.ToString());
        Assert.Contains("groups[1].owners[1]: 'gama' is not a node of this cluster (did you mean 'gamma'?)", error.ToString());
    }

    [Fact]
    public void JsonOutputCarriesErrorsWithPositions()
    {
        File.WriteAllText(_bad, "cluster: { name: x, id: 1, key_file: /k, colour: red }\nnodes: [{ id: 1, name: a, lan: [h:1] }]\n");
        var output = new StringWriter();
        Assert.Equal(ConfigCheck.ExitInvalid, ConfigCheck.Run(_bad, json: true, output, new StringWriter()));
        using var doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        var e = doc.RootElement.GetProperty("errors")[0];
        Assert.Equal("cluster.colour", e.GetProperty("field").GetString());
        Assert.Equal(1, e.GetProperty("line").GetInt32());
    }

    [Fact]
    public void UnreadableFileIsAnError()
    {
        var error = new StringWriter();
        Assert.Equal(ConfigCheck.ExitInvalid, ConfigCheck.Run("/nonexistent/cluster.yaml", json: false, new StringWriter(), error));
        Assert.Contains("cannot read", error.ToString());
    }

    public void Dispose() => File.Delete(_bad);
}

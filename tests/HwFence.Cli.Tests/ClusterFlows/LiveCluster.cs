using System.Text.Json;
using HwFence.Cli.Demo;
using HwFence.Cli.Node;
using HwFence.Cluster.Events;

namespace HwFence.Cli.Tests.ClusterFlows;

/// <summary>
/// A running cluster of real <c>hwfence node run</c> processes (the demo rig: emulated disk over
/// iSCSI, pty cables, UDP on loopback) and what tests read from it: each node's status.json and
/// events.jsonl. Waits poll those files with a deadline; everything is stopped and removed on dispose.
/// </summary>
internal sealed class LiveCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(25);

    private LiveCluster(DemoRig rig) => Rig = rig;

    public DemoRig Rig { get; }

    public static async Task<LiveCluster> StartAsync(int nodes = 3, DemoRigExtras? extras = null, Action<string>? beforeStart = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"hwfence-live-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var rig = await DemoRig.CreateAsync(nodes, keep: Environment.GetEnvironmentVariable("HWFENCE_TEST_KEEP") == "1", dir, CancellationToken.None, extras);
        beforeStart?.Invoke(rig.WorkDir);
        foreach (var n in rig.Nodes)
        {
            n.Start();
        }

        return new LiveCluster(rig);
    }

    public string Dir(int id) => Rig.StateDir(id);

    /// <summary>Host and state of <paramref name="tag"/> as node <paramref name="node"/> reports it; null if unknown there.</summary>
    public (string? Host, string State)? AppState(int node, string tag)
    {
        try
        {
            var status = JsonSerializer.Deserialize<NodeStatusFile>(File.ReadAllText(Path.Combine(Dir(node), "status.json")), NodeStatusFile.Json);
            var app = status?.Cluster.Applications.FirstOrDefault(a => a.Tag == tag);
            return app is null ? null : (app.Host, app.State);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Members and task holders of redundancy group <paramref name="group"/> as node <paramref name="node"/> reports them.</summary>
    public (IReadOnlyList<string> Members, IReadOnlyDictionary<string, string?> Holders)? RedundancyGroup(int node, string group)
    {
        try
        {
            var status = JsonSerializer.Deserialize<NodeStatusFile>(File.ReadAllText(Path.Combine(Dir(node), "status.json")), NodeStatusFile.Json);
            var g = status?.Cluster.RedundancyGroups.FirstOrDefault(r => r.Name == group);
            return g is null ? null : (g.Members, g.Holders);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Node <paramref name="node"/>'s events since <paramref name="since"/>.</summary>
    public List<ClusterEvent> Events(int node, DateTimeOffset since)
    {
        string path = Path.Combine(Dir(node), "events.jsonl");
        var found = new List<ClusterEvent>();
        if (!File.Exists(path))
        {
            return found;
        }

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(fs);
        while (reader.ReadLine() is { } line)
        {
            try
            {
                if (ClusterEvent.FromJson(line) is { } e && e.Time >= since)
                {
                    found.Add(e);
                }
            }
            catch (JsonException)
            {
                // a line being written right now
            }
        }

        return found;
    }

    public async Task WaitAsync(string what, Func<bool> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (Rig.Nodes.FirstOrDefault(n => n.ExitedUnexpectedly) is { } dead)
            {
                throw new InvalidOperationException($"{dead.Name} exited (code {dead.ExitCode}) while waiting for {what}:\n{string.Join("\n", dead.LastLogLines(15))}");
            }

            if (DateTime.UtcNow > until)
            {
                string logs = string.Join("\n", Rig.Nodes.SelectMany(n => n.LastLogLines(15).Select(l => $"{n.Name}: {l}")));
                throw new TimeoutException($"not within {Patience.TotalSeconds} s: {what}\n{logs}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Rig.StopAll(TimeSpan.FromSeconds(3));
        await Rig.DisposeAsync();
    }
}

using System.Text.Json;
using HwFence.Cli.Demo;
using HwFence.Cluster.Events;

namespace HwFence.Cli.Hil;

/// <summary>
/// What the runner can see of the rig without asking the nodes: their status.json (who runs the
/// application), their events.jsonl (what they did) and the ack logs (the application makes progress).
/// </summary>
internal sealed class HilObserver(DemoRig rig)
{
    /// <summary>The node whose own status says it runs the application (live, not frozen), or null.</summary>
    public int? HostRunning()
    {
        foreach (var n in rig.Nodes.Where(n => n.IsRunning && !n.IsFrozen))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(rig.StateDir(n.Id), "status.json")));
                foreach (var app in doc.RootElement.GetProperty("Cluster").GetProperty("Applications").EnumerateArray())
                {
                    if (app.GetProperty("Tag").GetString() == DemoRig.AppTag && app.GetProperty("State").GetString() == "running")
                    {
                        return n.Id;
                    }
                }
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not written yet, or being replaced: ask again at the next poll.
            }
        }

        return null;
    }

    public int AckCount() => rig.AckPaths().Sum(p =>
    {
        try
        {
            return File.ReadLines(p).Count();
        }
        catch (IOException)
        {
            return 0;
        }
    });

    /// <summary>The first event of <paramref name="kind"/> (kebab case) at or after <paramref name="since"/>, optionally from one node.</summary>
    public ClusterEvent? FindEvent(string kind, DateTimeOffset since, string? node) => Events(kind, since, node).MinBy(e => e.Time);

    /// <summary>Every event of <paramref name="kind"/> since <paramref name="since"/> across the nodes (one node's if named).</summary>
    public List<ClusterEvent> Events(string kind, DateTimeOffset since, string? node)
    {
        var found = new List<ClusterEvent>();
        foreach (var n in rig.Nodes)
        {
            if (node is not null && n.Name != node)
            {
                continue;
            }

            string path = Path.Combine(rig.StateDir(n.Id), "events.jsonl");
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(fs);
                while (reader.ReadLine() is { } line)
                {
                    ClusterEvent? e;
                    try
                    {
                        e = ClusterEvent.FromJson(line);
                    }
                    catch (JsonException)
                    {
                        continue; // a line being written; read again at the next poll
                    }

                    if (e is not null && e.Time >= since && HilEvents.Name(e.Kind) == kind)
                    {
                        found.Add(e);
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }

    /// <summary>A node that ended although the rig neither killed nor stopped it.</summary>
    public NodeProcess? DiedOnItsOwn() => rig.Nodes.FirstOrDefault(n => n.ExitedUnexpectedly);
}

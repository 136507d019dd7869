using HwFence.Cluster.Database;
using HwFence.Cluster.Supervisor;

namespace HwFence.Cluster.Tests.Fakes;

/// <summary>
/// An in-memory supervisor. Every runner of a test cluster shares one <see cref="Ledger"/> so the
/// test can check invariant 1 (at most one node runs an application at any instant).
/// </summary>
public sealed class FakeRunner(string node, RunLedger ledger) : IApplicationRunner
{
    private readonly HashSet<string> _running = new();

    public event Action<string, string>? FailoverRequested;

    public bool StopFails { get; set; }
    public List<ApplicationObject> Starts { get; } = new();

    public Task StartAsync(ApplicationObject app, CancellationToken cancellationToken = default)
    {
        lock (_running)
        {
            _running.Add(app.Tag);
            Starts.Add(app);
        }

        ledger.Started(app.Tag, node);
        return Task.CompletedTask;
    }

    public Task<bool> StopAsync(string tag, CancellationToken cancellationToken = default)
    {
        if (StopFails)
        {
            return Task.FromResult(false);
        }

        lock (_running)
        {
            _running.Remove(tag);
        }

        ledger.Stopped(tag, node);
        return Task.FromResult(true);
    }

    public bool IsRunning(string tag)
    {
        lock (_running)
        {
            return _running.Contains(tag);
        }
    }

    /// <summary>The node crashed: everything it ran is gone (no stop).</summary>
    public void Crash()
    {
        lock (_running)
        {
            foreach (var t in _running)
            {
                ledger.Stopped(t, node);
            }

            _running.Clear();
        }
    }

    /// <summary>Simulates the supervisor giving up after the restart limit.</summary>
    public void ExhaustRestarts(string tag)
    {
        lock (_running)
        {
            _running.Remove(tag);
        }

        ledger.Stopped(tag, node);
        FailoverRequested?.Invoke(tag, $"'{tag}' exited 4 times (restart limit 3)");
    }
}

public sealed class RunLedger
{
    private readonly Dictionary<string, HashSet<string>> _where = new();
    public List<string> Violations { get; } = new();

    public void Started(string tag, string node)
    {
        lock (_where)
        {
            if (!_where.TryGetValue(tag, out var set))
            {
                _where[tag] = set = new HashSet<string>();
            }

            set.Add(node);
            if (set.Count > 1)
            {
                Violations.Add($"'{tag}' runs on {string.Join(" and ", set)} at once");
            }
        }
    }

    public void Stopped(string tag, string node)
    {
        lock (_where)
        {
            _where.GetValueOrDefault(tag)?.Remove(node);
        }
    }

    public IReadOnlyList<string> RunningOn(string tag)
    {
        lock (_where)
        {
            return _where.GetValueOrDefault(tag)?.ToList() ?? [];
        }
    }
}

/// <summary>Resources present unless the test marks some missing on this node.</summary>
public sealed class FakeResourceProbe : IResourceProbe
{
    public HashSet<string> Missing { get; } = new();

    public IReadOnlyList<string> FindMissing(HwFence.Cluster.Configuration.ResourceSpec resources) =>
        resources.Devices.Concat(resources.Files).Where(Missing.Contains).Select(m => $"device {m} not present").ToList();
}

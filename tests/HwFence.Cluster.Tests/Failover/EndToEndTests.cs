using System.Text;
using HwFence.Cluster.Api;
using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Replication;
using HwFence.Cluster.Supervisor;
using HwFence.Cluster.Tests.Fakes;
using HwFence.Detection;
using HwFence.Testing;

namespace HwFence.Cluster.Tests.Failover;

/// <summary>
/// Two ClusterNodes with the real process supervisor and the real API server: a cluster-aware
/// application registers over the Unix socket, saves its MARKER on the primary, and after the
/// primary dies the backup starts the real process and the paused instance is resumed.
/// </summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hwfence-e2e-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly InProcessNetwork _net = new();
    private readonly EventBus _events = new();
    private readonly Dictionary<string, (ClusterNode Node, ProcessSupervisor Sup, ClusterApiServer Api, FakeVerdictSource Verdicts, IClusterStore Store)> _n = new();
    private ClusterConfig _config = null!;

    public async Task InitializeAsync()
    {
        string yaml = $$"""
            cluster: { name: e2e, id: 3, key_file: /k }
            nodes:
              - { id: 1, name: alpha, lan: [127.0.0.1:1], disks: [{ name: d, address: "emu:d" }] }
              - { id: 2, name: beta,  lan: [127.0.0.1:2], disks: [{ name: d, address: "emu:d" }] }
            groups:
              - { name: g, owners: [alpha, beta], quorum: disk-tiebreak, tiebreak_disk: d, fencing: ["scsi3-pr:d"] }
            applications:
              - tag: shop
                group: g
                type: cluster-aware
                command: { argv: [/bin/sh, -c, "echo $HWFENCE_TAG:$HWFENCE_MARKER > {{_dir}}/started-$$; exec sleep 60"] }
                auto_failback: false
            timings: { stop_grace: 1s }
            """;
        Assert.True(ClusterConfigLoader.TryLoad(yaml, "e2e.yaml", out var config, out var errors), string.Join("\n", errors));
        _config = config!;
        foreach (var node in _config.Nodes)
        {
            var verdicts = new FakeVerdictSource();
            verdicts.Set(3 - node.Id, Verdict.Alive);
            var sup = new ProcessSupervisor(node.Name, _config.Timings.StopGrace, TimeProvider.System, _events);
            var store = new InMemoryClusterStore();
            var cluster = new ClusterNode(new ClusterNodeServices
            {
                Config = _config, NodeName = node.Name, Store = store, Messenger = _net.Join(node.Id), Verdicts = verdicts,
                Fencer = new FakeFencer(), Runner = sup, ResourceProbe = new FakeResourceProbe(), Events = _events, Time = _time,
                TieBreaker = new FakeTieBreaker(),
            });
            var api = new ClusterApiServer(Path.Combine(_dir, $"{node.Name}.sock"), new ClusterNodeApiHandler(cluster), TimeProvider.System);
            cluster.AwareApplications = api;
            _n[node.Name] = (cluster, sup, api, verdicts, store);
        }

        foreach (var (node, _, _, _, _) in _n.Values)
        {
            await node.StartAsync();
        }

        await SettleAsync();
    }

    private async Task SettleAsync()
    {
        for (int i = 0; i < 100 && _n.Values.Any(n => !n.Node.IsIdle); i++)
        {
            foreach (var n in _n.Values)
            {
                await n.Node.WhenLoopDoneAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }

            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task ClusterAwareApplicationFailsOverWithItsMarker()
    {
        Assert.True(_n["alpha"].Sup.IsRunning("shop"));
        Assert.False(_n["beta"].Sup.IsRunning("shop"));

        // The instance on alpha registers and is active; it checkpoints.
        await using var onAlpha = await ClusterApiClient.ConnectAsync(_n["alpha"].Api.SocketPath);
        Assert.True(await onAlpha.RegisterAsync("shop"));
        await onAlpha.SaveMarkerAsync(Encoding.UTF8.GetBytes("order=1017"));
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("order=1017")), _n["beta"].Node.ReadMarker("shop")); // replicated

        // A standby instance on beta registers and is told to wait.
        await using var onBeta = await ClusterApiClient.ConnectAsync(_n["beta"].Api.SocketPath);
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        onBeta.OnRequest = r =>
        {
            if (r == ApiRequest.Resume)
            {
                resumed.TrySetResult();
            }

            return Task.CompletedTask;
        };
        Assert.False(await onBeta.RegisterAsync("shop"));

        // alpha dies.
        int alphaPid = _n["alpha"].Sup.ProcessId("shop")!.Value;
        await _n["alpha"].Node.DisposeAsync();
        await _n["alpha"].Sup.StopAsync("shop");
        _net.Isolate(1);
        _n["beta"].Verdicts.Set(1, Verdict.Dead);
        await SettleAsync();

        Assert.True(_n["beta"].Sup.IsRunning("shop"));
        Assert.NotEqual(alphaPid, _n["beta"].Sup.ProcessId("shop"));
        await resumed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        string expected = $"shop:{Convert.ToBase64String(Encoding.UTF8.GetBytes("order=1017"))}";
        await Poll.UntilAsync(() => Directory.GetFiles(_dir, "started-*").Select(File.ReadAllText).Any(s => s.Trim() == expected));
        Assert.Equal(Encoding.UTF8.GetBytes("order=1017"), await onBeta.ReadMarkerAsync());
        Assert.Contains(_events.History, e => e.Kind == ClusterEventKind.FailoverCompleted && e.Node == "beta");
    }

    public async Task DisposeAsync()
    {
        foreach (var (node, sup, api, _, store) in _n.Values)
        {
            await node.DisposeAsync();
            await api.DisposeAsync();
            sup.Dispose();
            store.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}

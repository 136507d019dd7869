using System.Text.Json;
using HwFence.Cli.Demo;
using HwFence.Cli.Node;
using HwFence.Cli.Tests.ClusterFlows;
using HwFence.Cli.Tests.Demo;

namespace HwFence.Cli.Tests.Operator;

/// <summary>
/// <c>hwfence app …</c> and <c>hwfence group …</c> as an operator uses them: the real executable
/// against the control sockets of three real <c>hwfence node run</c> processes (emulated disk over
/// iSCSI, pty cables, UDP on loopback), checked through each node's status.json.
/// </summary>
[Collection(LiveClusterCollection.Name)]
public sealed class OperatorControlTests : IAsyncLifetime
{
    private LiveCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LiveCluster.StartAsync();
        await WaitAsync("ledger running on n1", () => AppState(1, DemoRig.AppTag) is ("n1", "running"));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Dir(int id) => _cluster.Dir(id);

    private static HwFenceProcess.Result Hw(params string[] args) => HwFenceProcess.Run(TimeSpan.FromSeconds(90), args);

    private (string? Host, string State)? AppState(int node, string tag) => _cluster.AppState(node, tag);

    private Task WaitAsync(string what, Func<bool> condition) => _cluster.WaitAsync(what, condition);

    private static void Succeeds(HwFenceProcess.Result r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\nstdout: {r.Out}\nstderr: {r.Error}");

    [Fact]
    public async Task UnloadLoadMoveAddRemoveAndTheirRefusals()
    {
        // unload on the host: stopped (verified) and HOST empty, on every owner's copy.
        var unload = Hw("app", "unload", DemoRig.AppTag, "--state-dir", Dir(1), "--json");
        Succeeds(unload);
        Assert.True(JsonDocument.Parse(unload.Out).RootElement.GetProperty("ok").GetBoolean());
        await WaitAsync("ledger unloaded on n1 and n2", () => AppState(1, DemoRig.AppTag) is (null, "unloaded") && AppState(2, DemoRig.AppTag) is (null, "unloaded"));

        // load on n1 again: the registration case "HOST empty because the operator unloaded it".
        var load = Hw("app", "load", DemoRig.AppTag, "--state-dir", Dir(1));
        Succeeds(load);
        Assert.Contains("TakeUnloaded", load.Out, StringComparison.Ordinal);
        await WaitAsync("ledger running on n1 again", () => AppState(1, DemoRig.AppTag) is ("n1", "running"));

        // move to n2: stop here, verify, hand over.
        Succeeds(Hw("app", "move", DemoRig.AppTag, "--to", "n2", "--state-dir", Dir(1)));
        await WaitAsync("ledger running on n2", () => AppState(2, DemoRig.AppTag) is ("n2", "running") && AppState(1, DemoRig.AppTag) is ("n2", _));

        // refusals name the application, the node and why; exit 1.
        var notHost = Hw("app", "move", DemoRig.AppTag, "--to", "n3", "--state-dir", Dir(1));
        Assert.Equal(1, notHost.ExitCode);
        Assert.Contains("is hosted by n2, not n1; run the move there", notHost.Error, StringComparison.Ordinal);
        var stranger = Hw("app", "move", DemoRig.AppTag, "--to", "n9", "--state-dir", Dir(2));
        Assert.Equal(1, stranger.ExitCode);
        Assert.Contains("n9 is neither PRIMARY nor a BACKUP of 'ledger'", stranger.Error, StringComparison.Ordinal);
        var unknown = Hw("app", "unload", "nosuch", "--state-dir", Dir(2));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no application 'nosuch'", unknown.Error, StringComparison.Ordinal);

        // add an application (not loaded), see it replicated to its owners, remove it.
        Succeeds(Hw("app", "add", "sleeper", "--group", "g1", "--primary", "n3", "--backup", "n1", "--state-dir", Dir(2), "--", "/bin/sleep", "600"));
        await WaitAsync("sleeper known and unloaded on n3", () => AppState(3, "sleeper") is (null, "unloaded"));
        var duplicate = Hw("app", "add", "sleeper", "--group", "g1", "--primary", "n3", "--state-dir", Dir(2), "--", "/bin/true");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("application 'sleeper' already exists", duplicate.Error, StringComparison.Ordinal);
        var badGroup = Hw("app", "add", "other", "--group", "nope", "--primary", "n3", "--state-dir", Dir(2), "--", "/bin/true");
        Assert.Equal(1, badGroup.ExitCode);
        Assert.Contains("no resource group 'nope'", badGroup.Error, StringComparison.Ordinal);
        Succeeds(Hw("app", "remove", "sleeper", "--state-dir", Dir(3)));
        await WaitAsync("sleeper gone from n1 and n3", () => AppState(3, "sleeper") is null && AppState(1, "sleeper") is null);
        var loaded = Hw("app", "remove", DemoRig.AppTag, "--state-dir", Dir(2));
        Assert.Equal(1, loaded.ExitCode);
        Assert.Contains("'ledger' is loaded on n2; unload it first", loaded.Error, StringComparison.Ordinal);

        // redundancy groups: the demo config has none, and the refusal says which exist.
        var list = Hw("group", "list", "--state-dir", Dir(1));
        Succeeds(list);
        Assert.Contains("no redundancy groups configured", list.Out, StringComparison.Ordinal);
        var noGroup = Hw("group", "add-member", "rg1", "n1", "--state-dir", Dir(1));
        Assert.Equal(1, noGroup.ExitCode);
        Assert.Contains("no redundancy group 'rg1'", noGroup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperatorConfirmedFailbackEndToEnd()
    {
        // auto_failback false: after the primary returns the application stays on the backup,
        // "failback pending", until the operator confirms on the host.
        Succeeds(Hw("app", "add", "manual", "--group", "g1", "--primary", "n1", "--backup", "n2", "--no-auto-failback", "--state-dir", Dir(1), "--", "/bin/sleep", "600"));
        await WaitAsync("manual known on n1", () => AppState(1, "manual") is (null, "unloaded"));
        Succeeds(Hw("app", "load", "manual", "--state-dir", Dir(1)));
        await WaitAsync("manual running on n1", () => AppState(1, "manual") is ("n1", "running"));

        _cluster.Rig.Nodes[0].Kill();
        await WaitAsync("manual failed over to n2", () => AppState(2, "manual") is ("n2", "running"));
        _cluster.Rig.Nodes[0].Start();
        await WaitAsync("failback pending on n2", () => AppState(2, "manual") is ("n2", "failback pending"));
        await Task.Delay(1000);
        Assert.Equal(("n2", "failback pending"), AppState(2, "manual")); // it does not go back by itself

        var wrongNode = Hw("app", "failback", "manual", "--state-dir", Dir(1));
        Assert.Equal(1, wrongNode.ExitCode);
        Assert.Contains("'manual' is hosted by n2, not n1; confirm the failback on its host", wrongNode.Error, StringComparison.Ordinal);
        Succeeds(Hw("app", "failback", "manual", "--state-dir", Dir(2)));
        await WaitAsync("manual back on n1", () => AppState(1, "manual") is ("n1", "running"));
    }
}

/// <summary>Operator commands without a daemon: what they say and their exit codes.</summary>
public sealed class OperatorControlUsageTests
{
    [Fact]
    public void NoDaemonAndUsageErrorsSayWhatToDo()
    {
        string nowhere = Path.Combine(Path.GetTempPath(), $"hwfence-nodaemon-{Environment.ProcessId}");
        var none = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "app", "load", "ledger", "--state-dir", nowhere);
        Assert.Equal(3, none.ExitCode);
        Assert.Contains($"no daemon listening at {Path.Combine(nowhere, NodeHost.ControlSocketName)}", none.Error, StringComparison.Ordinal);
        Assert.Contains("is `hwfence node run` running on this node", none.Error, StringComparison.Ordinal);

        var which = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "app", "load", "ledger");
        Assert.Equal(2, which.ExitCode);
        Assert.Contains("--state-dir DIR, --config FILE --node NAME, or --socket PATH", which.Error, StringComparison.Ordinal);

        string example = Path.Combine(HwFence.Cli.Tests.Hil.HilScenarioParserTests.RepoRoot(), "examples", "cluster.yaml");
        var notANode = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "status", "--config", example, "--node", "delta");
        Assert.Equal(2, notANode.ExitCode);
        Assert.Contains("--config needs --node NAME, one of alpha, beta, gamma", notANode.Error, StringComparison.Ordinal);
        var viaConfig = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "group", "list", "--config", example, "--node", "alpha");
        Assert.Equal(3, viaConfig.ExitCode);
        Assert.Contains("no daemon listening at /var/lib/hwfence/control.sock", viaConfig.Error, StringComparison.Ordinal);

        var badName = HwFenceProcess.Run(TimeSpan.FromSeconds(60), "app", "unload", "two words", "--state-dir", nowhere);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'two words' is not a valid name", badName.Error, StringComparison.Ordinal);
    }
}

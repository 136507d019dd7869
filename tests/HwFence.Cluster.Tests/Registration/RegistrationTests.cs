using HwFence.Cluster.Configuration;
using HwFence.Cluster.Database;
using HwFence.Cluster.Events;
using HwFence.Cluster.Registration;
using HwFence.Cluster.Tests.Fakes;

namespace HwFence.Cluster.Tests.Registration;

public sealed class RegistrationTests : IAsyncLifetime
{
    private readonly TestCluster _c = new();

    public Task InitializeAsync() => _c.StartAllAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private static ApplicationObject App(string? host, string primary = "alpha") => new()
    {
        Tag = "t", Group = "g", Command = new CommandSpec { Argv = ["/bin/true"] }, Host = host, Primary = primary, Backups = ["beta"],
    };

    [Theory]
    [InlineData(null, "alpha", false, RegistrationCase.TakeUnloaded)]
    [InlineData("alpha", "alpha", true, RegistrationCase.AlreadyHosting)]
    [InlineData("alpha", "alpha", false, RegistrationCase.ResyncBeforeStart)]
    [InlineData("beta", "alpha", false, RegistrationCase.WaitForHandover)]
    [InlineData("alpha", "beta", false, RegistrationCase.Standby)]
    public void DecisionTable(string? host, string self, bool running, RegistrationCase expected) =>
        Assert.Equal(expected, RegistrationDecider.Decide(App(host), self, running));

    [Fact]
    public void NotRegisteredIsCreate() => Assert.Equal(RegistrationCase.Create, RegistrationDecider.Decide(null, "alpha", false));

    [Fact]
    public void Case1NotRegisteredCreatesTheObjectWithQuorum()
    {
        var registered = _c.Events.History.Where(e => e.Kind == ClusterEventKind.ApplicationRegistered).ToList();
        Assert.Contains(registered, e => e.Tag == "web" && e.Node == "alpha");
        Assert.Contains(registered, e => e.Tag == "db" && e.Node == "gamma");
        Assert.Equal(1, _c["beta"].Node.Database.VersionOf(RecordKind.Application, "web").Term);
    }

    [Fact]
    public async Task Case2UnloadedByTheOperatorTheLoadingNodeBecomesHost()
    {
        Assert.Null(await _c["alpha"].Node.UnloadAsync("web"));
        await _c.SettleAsync();
        Assert.Empty(_c.Ledger.RunningOn("web"));
        Assert.Null(_c.App("gamma", "web")!.Host);

        Assert.Equal(RegistrationCase.TakeUnloaded, await _c["beta"].Node.LoadAsync("web"));
        await _c.SettleAsync();
        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
    }

    [Fact]
    public async Task Case3PrimaryComingBackWaitsPausedUntilTheBackupUnloads()
    {
        Assert.Null(await _c["alpha"].Node.MoveAsync("web", "beta"));
        await _c.SettleAsync();
        Assert.Equal(RegistrationCase.WaitForHandover, await _c["alpha"].Node.LoadAsync("web"));
        // auto_failback: the backup hands over as soon as it sees the primary waiting.
        await _c.SettleAsync();
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
        Assert.Empty(_c.Ledger.Violations);
    }

    [Fact]
    public async Task Case4HostNamesThisNodeAlthoughItWasDownResynchronisesBeforeStarting()
    {
        // alpha crashes and restarts within deadtime: nobody declared it dead, HOST still names it.
        _c["alpha"].Runner.Crash();
        await _c["alpha"].Node.DisposeAsync();
        await _c.RestartAsync("alpha");

        Assert.Contains(_c.Events.History, e => e.Kind == ClusterEventKind.ResyncCompleted && e.Node == "alpha" && e.Message.Contains("although it was down"));
        Assert.Equal(["alpha"], _c.Ledger.RunningOn("web"));
    }

    [Fact]
    public async Task Case4WithANewerHostElsewhereTheStaleNodeDoesNotStart()
    {
        await _c.KillAsync("alpha");               // beta takes over with a newer term
        Assert.Equal(["beta"], _c.Ledger.RunningOn("web"));
        _c["alpha"].Runner.Crash();
        await _c.RestartAsync("alpha");            // alpha's own database still says HOST = alpha
        Assert.Empty(_c.Ledger.Violations);
    }
}

using HwFence.Fencing.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Testing;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>
/// SCSI-3 PR and SPC-2 reserve fencing against tgtd (Debian tgt 1.0.85, a target we did not write) over
/// real loopback TCP through our iSCSI initiator. Each test gets a fresh target (no reservation history).
/// </summary>
public sealed class FencingTgtdTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>, IAsyncLifetime
{
    private static readonly byte[] Block = new byte[512];
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30); // safety net only; events come in < 2 s
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<string> _log = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    private async Task<ScsiDevice> Path(TgtdTarget target, int node, int? viaPort = null)
    {
        var transport = await IscsiTransport.ConnectAsync("127.0.0.1", viaPort ?? tgtd.Port, target.Iqn, tgtd.Lun,
            new IscsiInitiatorOptions { InitiatorName = EmulatorRig.Initiator(node), NopInterval = TimeSpan.Zero });
        var device = new ScsiDevice(transport);
        _owned.Add(device);
        await device.ClearUnitAttentionsAsync();
        return device;
    }

    private async Task<ScsiPrFenceDevice> PrNode(TgtdTarget target, int node, int? viaPort = null) =>
        PrNode(await Path(target, node, viaPort), node);

    /// <summary>Node <paramref name="node"/>'s PR fence device on <paramref name="path"/> (one session per node name: a second one would reinstate it).</summary>
    private ScsiPrFenceDevice PrNode(ScsiDevice path, int node)
    {
        var device = new ScsiPrFenceDevice([FencingDisk.SinglePath(path)], EmulatorRig.KeyOf(node),
            new ScsiPrFenceOptions { ClusterName = EmulatorRig.Cluster }, line => { lock (_log) { _log.Add(line); } });
        _owned.Add(device);
        return device;
    }

    [RequiresTgtdFact]
    public async Task Pr_fence_falls_back_to_preempt_and_the_victims_next_write_gets_reservation_conflict()
    {
        var target = tgtd.CreateTarget();
        var victim = await Path(target, 1);
        var n1 = PrNode(victim, 1);
        var n2 = await PrNode(target, 2);
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);
        Assert.True((await n2.UnfenceAsync(2)).Succeeded);
        await n2.VerifyAsync();
        Assert.Equal([1, 2], await n2.ListAsync());
        Assert.True((await victim.TryWriteAsync(0, 1, Block)).IsGood);

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.ByThisNode);
        Assert.Contains(_log, l => l.Contains("PREEMPT AND ABORT not supported", StringComparison.Ordinal)); // tgtd rejects it
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(1));
        Assert.Equal([2], await n2.ListAsync());
        await victim.ClearUnitAttentionsAsync();
        Assert.True((await victim.TryWriteAsync(0, 1, Block)).IsReservationConflict);
    }

    [RequiresTgtdFact]
    public async Task Two_backups_racing_to_fence_the_same_victim_exactly_one_wins()
    {
        var target = tgtd.CreateTarget();
        var n1 = await PrNode(target, 1);
        var n2 = await PrNode(target, 2);
        var n3 = await PrNode(target, 3);
        foreach (var (n, id) in new[] { (n1, 1), (n2, 2), (n3, 3) })
        {
            Assert.True((await n.UnfenceAsync(id)).Succeeded);
        }

        var results = await Task.WhenAll(n2.FenceAsync(1), n3.FenceAsync(1));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message)); // both see the victim gone…
        Assert.Single(results, r => r.ByThisNode);                    // …but only one cut it off
        Assert.Equal([2, 3], await n2.ListAsync());
    }

    [RequiresTgtdFact]
    public async Task After_an_iscsi_reconnect_the_path_is_registered_again()
    {
        var target = tgtd.CreateTarget();
        await using var proxy = new TcpProxy("127.0.0.1", tgtd.Port);
        var n1 = await PrNode(target, 1, proxy.Port);
        var handled = new TaskCompletionSource<(bool Registered, string What)>(TaskCreationOptions.RunContinuationsAsynchronously);
        n1.NexusReRegistered += (_, ok, what) => handled.TrySetResult((ok, what));
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);

        proxy.CutAll();
        var (registered, what) = await handled.Task.WaitAsync(EventTimeout);

        Assert.True(registered, what);
        Assert.Equal(FenceStatus.On, await n1.StatusAsync(1));
        var n2 = await PrNode(target, 2);
        Assert.True((await n2.UnfenceAsync(2)).Succeeded);
        Assert.True((await n2.FenceAsync(1)).Succeeded); // the re-registered key can still be fenced
    }

    [RequiresTgtdFact]
    public async Task Spc2_reserve_fence_against_tgtd()
    {
        var target = tgtd.CreateTarget();
        var d1 = await Path(target, 1);
        var d2 = await Path(target, 2);
        var n1 = new Spc2ReserveFenceDevice(d1, 1);
        var n2 = new Spc2ReserveFenceDevice(d2, 2, line => { lock (_log) { _log.Add(line); } });
        _owned.Add(n1);
        _owned.Add(n2);
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);
        Assert.True((await d2.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        await n2.VerifyAsync();

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message + " | " + string.Join(" | ", _log));
        Assert.Contains(_log, l => l.Contains("LOGICAL UNIT RESET", StringComparison.Ordinal));
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        Assert.False(await n1.ReassertAsync());
        Assert.True((await d2.TryWriteAsync(0, 1, Block)).IsGood);
    }
}

using HwFence.Rig;
using Xunit.Abstractions;

namespace HwFence.Qemu.Tests;

/// <summary>
/// Issue 8, test 6: a two-guest HwFence cluster — <c>hwfence node run</c> in each QEMU guest, SG_IO on
/// the shared disk through the guest kernel, LAN between the guests' NICs, serial over their 16550 UARTs,
/// the demo application writing records — with real faults: the host guest's QEMU killed, the host guest
/// frozen past deadtime and resumed, the LAN alone cut. The HIL runner's independent invariant checker
/// judges each run. Each test boots its own pair of guests (a crashed guest cannot be reused).
/// </summary>
[Collection(GuestClusterCollection.Name)]
public sealed class GuestClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadtime = TimeSpan.FromSeconds(3);

    /// <summary>Boot the pair, start both daemons, wait until n1 hosts the application and n2 hears n1 on all three paths.</summary>
    private async Task<GuestCluster> SteadyClusterAsync()
    {
        var cluster = await GuestCluster.CreateAsync(2, output.WriteLine);
        try
        {
            var since = DateTimeOffset.UtcNow - cluster.ClockError - TimeSpan.FromSeconds(1);
            await cluster.StartNodeAsync(1);
            await cluster.StartNodeAsync(2);
            var started = await cluster.WaitForEventAsync(1, e => e.Kind == RigEventKinds.AppStarted, since, TimeSpan.FromSeconds(150), "app-started");
            await cluster.WaitForAcksAsync(1, 20, TimeSpan.FromSeconds(90));
            await WaitForAllPathsUpAsync(cluster, observer: 2, peer: 1, since);
            output.WriteLine($"steady: n1 started the application {(started.Time - since).TotalSeconds:0.0} s after the daemons were launched; {cluster.Acks(1)} records acknowledged");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitForAllPathsUpAsync(GuestCluster cluster, int observer, int peer, DateTimeOffset since)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var latest = cluster.Events(observer).Where(e => e.Time >= since && e.Kind == RigEventKinds.PathState && e.Peer == peer && e.Path is not null)
                .GroupBy(e => e.Path!).Select(g => g.Last()).ToList();
            if (latest.Count >= 3 && latest.All(e => e.State == "Up"))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"n{observer} did not see n{peer} Up on LAN, serial and disk within 60 s.\n{cluster.Diagnostics()}");
    }

    private static InvariantCheckerOptions CheckerOptions(GuestCluster cluster) => new()
    {
        // Deadtime, the fence through SG_IO and a .NET application starting under TCG emulation.
        FailoverBound = TimeSpan.FromSeconds(30),
        // Three clocks (host, two guests) set from one: allow what the setting could not resolve.
        Tolerance = cluster.CheckerTolerance(),
    };

    private async Task<InvariantReport> StopAndCheckAsync(GuestCluster cluster)
    {
        await cluster.StopNodesAsync();
        var report = await cluster.CheckAsync(CheckerOptions(cluster));
        output.WriteLine($"checker: {report}");
        Assert.True(report.Passed, $"{report}\n{cluster.Diagnostics()}");
        return report;
    }

    private void Print(FailoverMeasurement f) =>
        output.WriteLine($"failover n{f.FailedHost} → n{f.Successor}: detection {Ms(f.Detection)}, fence {Ms(f.Fence)}, start {Ms(f.Start)}, total {Ms(f.Total)}");

    private static string Ms(TimeSpan? t) => t is { } v ? $"{v.TotalMilliseconds:0} ms" : "—";

    [RequiresQemuFact]
    public async Task Killing_the_host_guest_makes_the_backup_fence_it_through_sg_io_and_take_over()
    {
        await using var cluster = await SteadyClusterAsync();
        var killedAt = cluster.Kill(1);
        var since = killedAt - cluster.CheckerTolerance();
        var fenced = await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.FenceCompleted && e.Peer == 1, since, TimeSpan.FromSeconds(60), "fence-completed of n1");
        var started = await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.AppStarted, since, TimeSpan.FromSeconds(60), "app-started");
        Assert.True(fenced.Time <= started.Time, $"n2 started the application at {started.Time:HH:mm:ss.fff} before its fence of n1 completed at {fenced.Time:HH:mm:ss.fff}");
        await cluster.WaitForAcksAsync(2, 20, TimeSpan.FromSeconds(60));

        var report = await StopAndCheckAsync(cluster);
        var failover = Assert.Single(report.Failovers);
        Print(failover);
        Assert.Equal(2, failover.Successor);
        Assert.NotNull(failover.Fence);
    }

    [RequiresQemuFact]
    public async Task A_host_guest_frozen_past_deadtime_is_fenced_and_when_resumed_the_disk_refuses_it_and_it_stops_its_application()
    {
        await using var cluster = await SteadyClusterAsync();
        int n1AcksBefore = cluster.Acks(1);
        var frozenAt = await cluster.FreezeAsync(1);
        var since = frozenAt - cluster.CheckerTolerance();
        await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.FenceCompleted && e.Peer == 1, since, TimeSpan.FromSeconds(60), "fence-completed of n1");
        await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.AppStarted, since, TimeSpan.FromSeconds(60), "app-started");
        await cluster.WaitForAcksAsync(2, 10, TimeSpan.FromSeconds(60));
        Assert.True(Deadtime < DateTimeOffset.UtcNow - frozenAt);

        var resumedAt = await cluster.ResumeAsync(1);
        // The resumed host carries on as if no time had passed: its next write meets the fence. Its
        // application must stop and its daemon fence itself (exit) — within a few of its own intervals.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (await cluster.NodeRunningAsync(1) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.False(await cluster.NodeRunningAsync(1), $"n1's daemon still runs 60 s after it was resumed fenced.\n{cluster.Diagnostics()}");
        var exitedAt = cluster.RecordFault(1, RigFaults.Exited);
        output.WriteLine($"n1's daemon gone {(exitedAt - resumedAt).TotalMilliseconds:0} ms after the resume (seen by polling its pid); its last words:");
        foreach (string line in cluster.NodeLog(1, 12))
        {
            output.WriteLine("  " + line);
        }

        Assert.Contains(cluster.NodeLog(1, 400), l => l.Contains("SelfFence", StringComparison.Ordinal));
        Assert.Equal("", await cluster.AppProcessesAsync(1));
        await cluster.WaitForAcksAsync(2, 10, TimeSpan.FromSeconds(60));

        // Clock-free evidence: on the disk every record of n1 precedes every record of n2 (the resumed
        // n1 wrote nothing after n2 took over), and n1 acknowledged nothing it had not written before.
        var disk = await cluster.ScanDiskAsync();
        ulong lastOfN1 = disk.Records.Where(r => r.Record.NodeId == 1).Select(r => r.Record.Sequence).DefaultIfEmpty(0UL).Max();
        ulong firstOfN2 = disk.Records.Where(r => r.Record.NodeId == 2).Select(r => r.Record.Sequence).DefaultIfEmpty(ulong.MaxValue).Min();
        Assert.True(lastOfN1 < firstOfN2, $"n1 wrote record #{lastOfN1} after n2 began at #{firstOfN2}");
        output.WriteLine($"n1 acknowledged {n1AcksBefore} records before the freeze, {cluster.Acks(1)} in all; its last record on disk #{lastOfN1}, n2's first #{firstOfN2}");

        var report = await StopAndCheckAsync(cluster);
        var failover = Assert.Single(report.Failovers);
        Print(failover);
        Assert.Equal(2, failover.Successor);
    }

    [RequiresQemuFact]
    public async Task Cutting_only_the_lan_between_the_guests_raises_a_partition_alarm_and_never_fails_over()
    {
        await using var cluster = await SteadyClusterAsync();
        var cutAt = await cluster.CutLanAsync(1);
        var since = cutAt - cluster.CheckerTolerance();
        await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.Verdict && e.Peer == 1 && e.Verdict == "Partitioned", since, TimeSpan.FromSeconds(30), "verdict Partitioned on n1");
        await cluster.WaitForEventAsync(1, e => e.Kind == RigEventKinds.Verdict && e.Peer == 2 && e.Verdict == "Partitioned", since, TimeSpan.FromSeconds(30), "verdict Partitioned on n2");

        // Hold the cut for three deadtimes more: the application keeps running on n1, nobody fences.
        int acks = cluster.Acks(1);
        await Task.Delay(3 * Deadtime);
        Assert.True(cluster.Acks(1) > acks, $"n1's application stopped acknowledging during the LAN cut.\n{cluster.Diagnostics()}");
        var healedAt = await cluster.HealLanAsync(1);
        await cluster.WaitForEventAsync(2, e => e.Kind == RigEventKinds.Verdict && e.Peer == 1 && e.Verdict == "Alive", healedAt - cluster.CheckerTolerance(), TimeSpan.FromSeconds(30), "verdict Alive on n1 after the heal");
        await cluster.WaitForAcksAsync(1, 10, TimeSpan.FromSeconds(30));

        foreach (int id in new[] { 1, 2 })
        {
            Assert.DoesNotContain(cluster.Events(id), e => e.Time >= since && e.Kind is RigEventKinds.FenceStarted or RigEventKinds.AppStopped);
        }

        Assert.DoesNotContain(cluster.Events(2), e => e.Kind == RigEventKinds.AppStarted);
        var report = await StopAndCheckAsync(cluster);
        Assert.Empty(report.Failovers);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GuestClusterCollection
{
    /// <summary>Runs alone: two TCG guests with .NET daemons take both cores; a parallel collection's guests would make them late.</summary>
    public const string Name = "HwFence clusters in QEMU guests";
}

using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Sense;
using HwFence.Testing;

namespace HwFence.Emulator.Tests.Faults;

/// <summary>Fault injection through the API: latency, hang, fail-next-N, not ready, drop, stop/start.</summary>
public sealed class FaultInjectionTests
{
    private static readonly byte[] Tur = new byte[6];

    [Fact]
    public async Task Fail_next_n_commands_with_a_chosen_status_and_sense_then_recover()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        f.Disk.Faults.For(DiskFixture.NodeA).FailNext(2, ScsiStatus.CheckCondition, SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
        a.AssertCheck(a.Read(0, 1), SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
        a.AssertCheck(a.Tur(), SenseKey.MediumError, AdditionalSense.UnrecoveredReadError);
        Assert.Equal(ScsiStatus.Good, a.Tur());
        Assert.Equal(ScsiStatus.Good, b.Tur()); // other initiators are unaffected

        f.Disk.Faults.For(DiskFixture.NodeA).FailNext(1, ScsiStatus.Busy);
        Assert.Equal(ScsiStatus.Busy, a.Tur());
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Latency_delays_commands_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Time = clock });
        var a = f.Initiator(DiskFixture.NodeA);
        f.Disk.Faults.For(DiskFixture.NodeA).Latency = TimeSpan.FromMilliseconds(500);
        var pending = a.Transport.ExecuteAsync(Tur, DataDirection.None, default, new byte[64], TimeSpan.FromSeconds(5)).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ScsiStatus.Good, (await pending.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task Hang_never_answers_so_the_initiator_times_out_and_aborts()
    {
        var clock = new FakeTimeProvider();
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Time = clock });
        var a = f.Initiator(DiskFixture.NodeA);
        f.Disk.Faults.For(DiskFixture.NodeA).Hang = true;
        var pending = a.Transport.ExecuteAsync(Tur, DataDirection.None, default, new byte[64], TimeSpan.FromSeconds(3)).AsTask();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ScsiTransportError.Timeout, e.Error);
        Assert.Contains(f.Disk.Address, e.Message);

        f.Disk.Faults.For(DiskFixture.NodeA).Hang = false;
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Hung_write_dropped_with_the_connection_never_reaches_the_medium()
    {
        var clock = new FakeTimeProvider();
        await using var f = new DiskFixture(options: new EmulatedTargetOptions { Time = clock });
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        f.Disk.Faults.For(DiskFixture.NodeA).Hang = true;
        var cdb = new byte[10];
        Cdb.Write10(cdb, 9, 1);
        var pending = a.Transport.ExecuteAsync(cdb, DataDirection.ToDevice, Enumerable.Repeat((byte)1, 512).ToArray(), new byte[64], TimeSpan.FromMinutes(5)).AsTask();
        f.Disk.Target.DropConnections(DiskFixture.NodeA);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ScsiTransportError.ConnectionLost, e.Error);
        f.Disk.Faults.For(DiskFixture.NodeA).Clear();
        Assert.Equal(ScsiStatus.Good, b.Read(9, 1));
        Assert.All(b.LastData, x => Assert.Equal(0, x));
        a.ClearUnitAttentions();
        Assert.Equal(2, a.Transport.NexusGeneration); // replaced on next use
    }

    [Fact]
    public async Task Drop_connection_replaces_the_nexus_and_raises_nexus_replaced()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        long seen = 0;
        a.Transport.NexusReplaced += g => seen = g;
        f.Disk.Target.DropConnections(DiskFixture.NodeA);
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.ITNexusLossOccurred);
        Assert.Equal(2, seen);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, b.Reserve6()); // the SPC-2 reservation went with the nexus
    }

    [Fact]
    public async Task Not_ready_fails_medium_commands_until_cleared_then_reports_the_change()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        f.Disk.Target.SetNotReady(true);
        a.AssertCheck(a.Tur(), SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadyManualIntervention);
        a.AssertCheck(a.Read(0, 1), SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadyManualIntervention);
        Assert.Equal(ScsiStatus.Good, a.Run([0x12, 0, 0, 0, 36, 0], DataDirection.FromDevice, new byte[36]));
        f.Disk.Target.SetNotReady(false);
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.NotReadyToReadyChange);
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Stopped_target_refuses_commands_until_started()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        f.Disk.Target.Stop();
        var e = Assert.Throws<ScsiTransportException>(() => a.Tur());
        Assert.Equal(ScsiTransportError.ConnectionLost, e.Error);
        f.Disk.Target.Start();
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.PowerOnResetOrBusDeviceResetOccurred);
    }
}

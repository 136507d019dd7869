using System.Net;
using HwFence.Emulator;
using HwFence.Emulator.Iscsi;
using HwFence.Fencing.Scsi;
using HwFence.Hal.Scsi;
using HwFence.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Initiator;

namespace HwFence.Fencing.Tests.Scsi;

/// <summary>SPC-2 reserve fencing against the emulated disk: in process (loopback) and over real iSCSI TCP.</summary>
public sealed class Spc2ReserveFenceDeviceEmulatorTests
{
    private static readonly byte[] Block = new byte[512];

    [Fact]
    public async Task Holder_keeps_others_out_and_unfence_of_a_second_node_is_refused_while_it_holds()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("hold"));
        await using var d1 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(1)));
        await using var d2 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(2)));
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2);

        var held = await n1.UnfenceAsync(1);
        Assert.True(held.Succeeded, held.Message);
        Assert.True(n1.IsHolding);
        Assert.Equal([1], await n1.ListAsync());
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsGood);

        var refused = await n2.UnfenceAsync(2);
        Assert.False(refused.Succeeded);
        Assert.Contains("RESERVATION CONFLICT", refused.Message);
        Assert.True((await d2.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        Assert.Equal(FenceStatus.On, await n2.StatusAsync(1)); // someone else holds it
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(2));
        Assert.Equal(FenceStatus.Off, await n1.StatusAsync(2)); // n1 holds it: n2 is cut off

        // Unfencing node 2 from node 1 = releasing the disk; then node 2 may reserve.
        Assert.True((await n1.UnfenceAsync(2)).Succeeded);
        Assert.False(n1.IsHolding);
        Assert.True((await n2.UnfenceAsync(2)).Succeeded);
    }

    [Fact]
    public async Task Fence_breaks_a_dead_holders_reservation_with_lu_reset_and_the_victim_gets_reservation_conflict()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("fence"));
        await using var d1 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(1)));
        await using var d2 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(2)));
        var log = new List<string>();
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2, log.Add);
        var lost = new List<string>();
        n1.ReservationLost += lost.Add;
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);

        var result = await n2.FenceAsync(1);

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.ByThisNode);
        Assert.Equal([d2.Address], result.Won);
        Assert.Contains("reservation broken by reset", result.Message);
        Assert.Contains(log, l => l.Contains("LOGICAL UNIT RESET", StringComparison.Ordinal));
        Assert.Equal(FenceStatus.Off, await n2.StatusAsync(1));
        Assert.Equal([2], await n2.ListAsync());

        // The victim's next WRITE: the reset's UNIT ATTENTION is consumed (and reported), then RESERVATION CONFLICT.
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        Assert.Contains(lost, l => l.Contains("released by a reset", StringComparison.Ordinal));
        Assert.False(n1.IsHolding);
        Assert.False(await n1.ReassertAsync());
        Assert.Contains(lost, l => l.Contains("this node was fenced", StringComparison.Ordinal));
        Assert.Equal(FenceStatus.Off, await n1.StatusAsync(1));
    }

    [Fact]
    public async Task Reserve_on_a_disk_with_pr_registrations_conflicts_and_the_message_says_why()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("pr"));
        await using var d1 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(1)));
        await d1.RegisterAsync(0x1111); // SPC-4 §5.13.3: RESERVE(6) is refused while registrations exist
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        var result = await n1.UnfenceAsync(1);
        Assert.False(result.Succeeded);
        Assert.Contains("persistent reservation registrations", result.Message);
    }

    [Fact]
    public async Task Fence_without_a_holder_just_reserves_and_fencing_oneself_is_refused()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("free"));
        await using var d2 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(2)));
        var log = new List<string>();
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2, log.Add);
        var self = await n2.FenceAsync(2);
        Assert.False(self.Succeeded);
        Assert.Contains("cannot fence itself", self.Message);

        var result = await n2.FenceAsync(1);
        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("no other holder", result.Message);
        Assert.DoesNotContain(log, l => l.Contains("RESET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transport_without_task_management_cannot_break_a_reservation_and_says_so()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("notmf"));
        await using var d1 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(1)));
        await using var d2 = new ScsiDevice(new NoTaskManagementTransport(disk.Connect(EmulatorRig.Initiator(2))));
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2);
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);

        var result = await n2.FenceAsync(1);
        Assert.False(result.Succeeded);
        Assert.Contains("cannot send LOGICAL UNIT RESET", Assert.Single(result.Lost));
        var verify = await Assert.ThrowsAsync<InvalidOperationException>(() => n2.VerifyAsync());
        Assert.Contains("NoTaskManagementTransport", verify.Message);
        await n1.VerifyAsync();
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsGood); // the holder was not disturbed
    }

    [Fact]
    public async Task A_rejected_lu_reset_falls_back_to_target_reset()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("fallback"));
        await using var d1 = new ScsiDevice(disk.Connect(EmulatorRig.Initiator(1)));
        var rejecting = new RejectLogicalUnitResetTransport(disk.Connect(EmulatorRig.Initiator(2)));
        await using var d2 = new ScsiDevice(rejecting);
        var log = new List<string>();
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2, log.Add);
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);

        var result = await n2.FenceAsync(1);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(1, rejecting.LogicalUnitResets);
        Assert.Equal(1, rejecting.TargetResets);
        Assert.Contains(log, l => l.Contains("falling back to TARGET RESET", StringComparison.Ordinal));
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsReservationConflict);
    }

    [Fact]
    public async Task Over_iscsi_the_lu_reset_is_a_real_tmf_request_and_a_reconnect_loses_the_reservation()
    {
        await using var disk = EmulatedDisk.CreateInMemory(1 << 20, Name("iscsi"));
        await using var server = disk.ServeIscsi(new IscsiTargetOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        await using var d1 = new ScsiDevice(await IscsiTransport.ConnectAsync("127.0.0.1", server.LocalEndPoint.Port, disk.Target.Iqn, 0,
            new IscsiInitiatorOptions { InitiatorName = EmulatorRig.Initiator(1), NopInterval = TimeSpan.Zero }));
        await using var d2 = new ScsiDevice(await IscsiTransport.ConnectAsync("127.0.0.1", server.LocalEndPoint.Port, disk.Target.Iqn, 0,
            new IscsiInitiatorOptions { InitiatorName = EmulatorRig.Initiator(2), NopInterval = TimeSpan.Zero }));
        Assert.IsAssignableFrom<IScsiTaskManagement>(d2.Transport);
        await using var n1 = new Spc2ReserveFenceDevice(d1, 1);
        await using var n2 = new Spc2ReserveFenceDevice(d2, 2);
        Assert.True((await n1.UnfenceAsync(1)).Succeeded);
        Assert.True((await d2.TryWriteAsync(0, 1, Block)).IsReservationConflict);

        var result = await n2.FenceAsync(1);
        Assert.True(result.Succeeded, result.Message);
        Assert.True((await d1.TryWriteAsync(0, 1, Block)).IsReservationConflict);
        Assert.True((await d2.TryWriteAsync(0, 1, Block)).IsGood);
    }

    private static string Name(string what) => $"spc2-{what}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>A transport that can only run CDBs (like SG_IO without SG_SCSI_RESET).</summary>
    private sealed class NoTaskManagementTransport(IScsiTransport inner) : ForwardingTransport(inner);

    /// <summary>Answers LOGICAL UNIT RESET with FUNCTION REJECTED (as some arrays do for non-owners) and passes target resets on.</summary>
    private sealed class RejectLogicalUnitResetTransport(Emulator.Loopback.LoopbackTransport inner) : ForwardingTransport(inner), IScsiTaskManagement
    {
        public int LogicalUnitResets { get; private set; }

        public int TargetResets { get; private set; }

        public Task LogicalUnitResetAsync(CancellationToken cancellationToken = default)
        {
            LogicalUnitResets++;
            throw new ScsiTransportException(Address, ScsiTransportError.NotSupported, "LOGICAL UNIT RESET answered FunctionRejected");
        }

        public Task TargetResetAsync(CancellationToken cancellationToken = default)
        {
            TargetResets++;
            return inner.TargetResetAsync(cancellationToken);
        }
    }
}

using HwFence.Emulator.Iscsi;
using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Iscsi;
using HwFence.Scsi.Iscsi.Initiator;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.Iscsi;

/// <summary>The emulator's iSCSI target over real loopback TCP, driven by the Scsi layer's initiator.</summary>
public sealed class IscsiTargetTests
{
    private const string NodeA = "iqn.2026-01.org.hwfence.test:iscsi-a";
    private const string NodeB = "iqn.2026-01.org.hwfence.test:iscsi-b";

    internal static async Task<TestInitiator> ConnectAsync(EmulatorServer server, string name, IscsiDigestMode digest = IscsiDigestMode.None, bool reconnect = false)
    {
        var transport = await IscsiTransport.ConnectAsync("127.0.0.1", server.Port, server.Iqn, 0, new IscsiInitiatorOptions
        {
            InitiatorName = name,
            HeaderDigest = digest,
            DataDigest = digest,
            Reconnect = reconnect,
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
        });
        var i = new TestInitiator(transport);
        i.ClearUnitAttentions();
        return i;
    }

    [Fact]
    public async Task Writes_larger_than_a_burst_read_back_intact_with_crc32c_digests()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA, IscsiDigestMode.Crc32C);
        await using var _ = a.Transport;
        Assert.Equal(ScsiStatus.Good, a.Tur());
        var data = new byte[1 << 20]; // 1 MiB: immediate data, unsolicited Data-Out and several R2Ts
        new Random(7).NextBytes(data);
        var cdb = new byte[16];
        HwFence.Scsi.Commands.Cdb.Write16(cdb, 1000, (uint)(data.Length / 512));
        Assert.Equal(ScsiStatus.Good, a.Run(cdb, DataDirection.ToDevice, data));
        HwFence.Scsi.Commands.Cdb.Read16(cdb, 1000, (uint)(data.Length / 512));
        Assert.Equal(ScsiStatus.Good, a.Run(cdb, DataDirection.FromDevice, new byte[data.Length]));
        Assert.Equal(data, a.LastData);
        Assert.Contains(server.Log.Lines, l => l.Contains("iSCSI login: " + NodeA, StringComparison.Ordinal) && l.Contains("HeaderDigest=CRC32C", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preempt_over_iscsi_fences_the_other_initiator_and_it_sees_the_unit_attention()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA);
        var b = await ConnectAsync(server, NodeB);
        await using var ta = a.Transport;
        await using var tb = b.Transport;
        Assert.Equal(ScsiStatus.Good, a.Register(0xA));
        Assert.Equal(ScsiStatus.Good, b.Register(0xB));
        Assert.Equal(ScsiStatus.Good, a.Reserve(0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(ScsiStatus.Good, b.Preempt(0xB, 0xA, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true));
        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        Assert.Equal(ScsiStatus.ReservationConflict, a.Write(0, new byte[512]));
        Assert.Equal(new ulong[] { 0xB }, b.ReadKeys().Keys);
        Assert.Contains(server.Log.Lines, l => l.Contains("PREEMPT AND ABORT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discovery_advertises_the_address_the_initiator_connected_to()
    {
        await using var server = new EmulatorServer();
        var targets = await IscsiTransport.DiscoverAsync("127.0.0.1", server.Port, new IscsiInitiatorOptions { InitiatorName = NodeA });
        var t = Assert.Single(targets);
        Assert.Equal(server.Iqn, t.Name);
        Assert.Contains($"127.0.0.1:{server.Port},1", t.Addresses);
    }

    [Fact]
    public async Task Logical_unit_reset_over_iscsi_releases_the_spc2_reservation()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA);
        var b = await ConnectAsync(server, NodeB);
        await using var ta = a.Transport;
        await using var tb = b.Transport;
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        Assert.Equal(ScsiStatus.ReservationConflict, b.Tur());
        var response = await ((IscsiTransport)a.Transport).LogicalUnitResetAsync();
        Assert.Equal(HwFence.Scsi.Iscsi.Pdus.TaskManagementResponse.FunctionComplete, response);
        b.ClearUnitAttentions();
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
    }

    [Fact]
    public async Task Logout_releases_the_spc2_reservation_and_is_logged()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA);
        var b = await ConnectAsync(server, NodeB);
        await using var tb = b.Transport;
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        await a.Transport.DisposeAsync();
        await WaitUntilAsync(() => server.Disk.LogicalUnit.Spc2Holder is null);
        Assert.Equal(ScsiStatus.Good, b.Reserve6());
        Assert.Contains(server.Log.Lines, l => l.Contains("logout/disconnect: " + NodeA, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_and_start_keeps_aptpl_registrations_and_drops_the_rest()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA);
        await using (a.Transport)
        {
            Assert.Equal(ScsiStatus.Good, a.Register(0xA1, flags: PrOutFlags.Aptpl));
            Assert.Equal(ScsiStatus.Good, a.Reserve(0xA1, PersistentReservationType.ExclusiveAccessRegistrantsOnly));
        }

        server.Disk.Target.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server, NodeB));
        server.Disk.Target.Start();
        var b = await ConnectAsync(server, NodeB);
        await using var tb = b.Transport;
        Assert.Equal(new ulong[] { 0xA1 }, b.ReadKeys().Keys);
        Assert.Equal(ScsiStatus.ReservationConflict, b.Read(0, 1));
    }

    [Fact]
    public async Task Many_sessions_write_and_read_their_own_blocks_at_once()
    {
        await using var server = new EmulatorServer();
        const int sessions = 12;
        var initiators = await Task.WhenAll(Enumerable.Range(0, sessions).Select(i => ConnectAsync(server, $"iqn.2026-01.org.hwfence.test:many-{i}")));
        try
        {
            await Task.WhenAll(initiators.Select((init, i) => Task.Run(() =>
            {
                for (int round = 0; round < 20; round++)
                {
                    var block = Enumerable.Repeat((byte)(i * 16 + round % 16), 4096).ToArray();
                    Assert.Equal(ScsiStatus.Good, init.Write((uint)(i * 64), block));
                    Assert.Equal(ScsiStatus.Good, init.Read((uint)(i * 64), 8));
                    Assert.Equal(block, init.LastData);
                }
            })));
            Assert.Equal(sessions, server.Server.ConnectionCount);
        }
        finally
        {
            foreach (var i in initiators)
            {
                await i.Transport.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Dropped_connection_is_replaced_by_the_initiator_with_a_new_nexus()
    {
        await using var server = new EmulatorServer();
        var a = await ConnectAsync(server, NodeA, reconnect: true);
        await using var ta = a.Transport;
        long before = a.Transport.NexusGeneration;
        var replaced = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Transport.NexusReplaced += g => replaced.TrySetResult(g);
        Assert.Equal(ScsiStatus.Good, a.Reserve6());
        server.Disk.Target.DropConnections(NodeA);
        await WaitUntilAsync(() => server.Disk.LogicalUnit.Spc2Holder is null);

        // The next command reconnects; the new nexus starts with I_T NEXUS LOSS and no SPC-2 reservation.
        for (int i = 0; i < 50 && replaced.Task.IsCompleted is false; i++)
        {
            try
            {
                a.Tur();
            }
            catch (ScsiTransportException)
            {
                await Task.Delay(50);
            }
        }

        Assert.True(await replaced.Task.WaitAsync(TimeSpan.FromSeconds(10)) > before);
        Assert.Contains(server.Log.Lines, l => l.Contains("fault: dropping the connections of " + NodeA, StringComparison.Ordinal));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not reached within 5 s");
    }
}

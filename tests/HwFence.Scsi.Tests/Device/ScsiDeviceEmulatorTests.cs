using HwFence.Emulator;
using HwFence.Emulator.Loopback;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.UnitAttention;

namespace HwFence.Scsi.Tests.Device;

/// <summary><see cref="ScsiDevice"/> against the emulator's logical unit (a real SPC-4 model, in process).</summary>
public sealed class ScsiDeviceEmulatorTests : IAsyncLifetime
{
    private EmulatedDisk _disk = null!;

    public Task InitializeAsync()
    {
        _disk = EmulatedDisk.CreateInMemory(16L << 20, "scsidev-" + Guid.NewGuid().ToString("N")[..8]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _disk.DisposeAsync();

    private ScsiDevice Node(string name) => new(_disk.Connect("iqn.2026-01.test.dev:" + name));

    [Fact]
    public async Task Identity_capacity_and_luns()
    {
        await using var d = Node("a");
        await d.ClearUnitAttentionsAsync();

        var inq = await d.InquiryAsync();
        var pages = await d.SupportedVpdPagesAsync();
        var id = await d.DeviceIdentificationAsync();
        var cap = await d.ReadCapacityAsync();
        var luns = await d.ReportLunsAsync();

        Assert.Equal(0, inq.DeviceType);
        Assert.Contains((byte)0x83, pages.Pages);
        Assert.NotNull(id.LogicalUnitId);
        Assert.Equal(16L << 20, (long)cap.CapacityBytes);
        Assert.Contains(luns.Luns, l => l.Number == 0);
    }

    [Fact]
    public async Task Fua_write_then_read_round_trips()
    {
        await using var d = Node("a");
        await d.ReadCapacityAsync();
        var block = Enumerable.Range(0, (int)d.BlockLength!.Value).Select(i => (byte)(i * 7)).ToArray();

        await d.WriteAsync(42, 1, block, fua: true);
        var back = new byte[block.Length];
        int n = await d.ReadAsync(42, 1, back);

        Assert.Equal(block.Length, n);
        Assert.Equal(block, back);
    }

    [Fact]
    public async Task Preempted_node_sees_registrations_preempted_then_reservation_conflict()
    {
        await using var a = Node("a");
        await using var b = Node("b");
        await a.ClearUnitAttentionsAsync();
        await b.ClearUnitAttentionsAsync();
        await a.RegisterAsync(0xA1);
        await b.RegisterAsync(0xB2);
        (await a.TryPersistentReserveAsync(0xA1, PersistentReservationType.WriteExclusiveRegistrantsOnly)).ThrowIfNotGood();
        var before = await b.ReadReservationAsync();
        Assert.Equal(0xA1UL, before.Reservation!.Value.Key);

        var preempt = await b.TryPreemptAsync(0xB2, 0xA1, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true);
        Assert.True(preempt.IsGood, preempt.ToString());

        var seen = new List<UnitAttentionEvent>();
        a.UnitAttentions.Seen += seen.Add;
        var write = await a.TryWriteAsync(0, 1, new byte[512]);

        Assert.True(write.IsReservationConflict, write.ToString());
        Assert.True(write.UnitAttentions.HasFlag(UnitAttentionKind.RegistrationsPreempted), write.UnitAttentions.ToString());
        Assert.Contains(seen, e => e.Kind == UnitAttentionKind.RegistrationsPreempted && e.Command == "WRITE(10)");
        var keys = await a.ReadKeysAsync();
        Assert.Equal([0xB2UL], keys.Keys);
        Assert.True(keys.Generation > before.Generation);
        var caps = await a.ReportCapabilitiesAsync();
        Assert.True(caps.Supports(PersistentReservationType.WriteExclusiveRegistrantsOnly));
    }

    [Fact]
    public async Task Read_full_status_names_each_initiator()
    {
        await using var a = Node("a");
        await using var b = Node("b");
        await a.RegisterAsync(0xA1);
        await b.RegisterAsync(0xB2);
        (await b.TryPersistentReserveAsync(0xB2, PersistentReservationType.ExclusiveAccess)).ThrowIfNotGood();

        var full = await a.ReadFullStatusAsync();

        Assert.Equal(2, full.Registrations.Count);
        var holder = Assert.Single(full.Registrations, r => r.ReservationHolder);
        Assert.Equal(0xB2UL, holder.Key);
        Assert.Equal(PersistentReservationType.ExclusiveAccess, holder.Type);
        Assert.Equal("iqn.2026-01.test.dev:b", holder.TransportId.IscsiName);
    }

    [Fact]
    public async Task Factory_opens_emu_addresses_through_the_registered_scheme()
    {
        var factory = new ScsiTransportFactory();
        EmulatorScheme.Register(factory);
        await using var d = await factory.OpenDeviceAsync(_disk.Address, new ScsiTransportOpenOptions { InitiatorName = "iqn.2026-01.test.dev:f" });

        await d.ClearUnitAttentionsAsync();
        Assert.True((await d.TryTestUnitReadyAsync()).IsGood);
        Assert.Equal(_disk.Address, d.Address);
    }
}

using HwFence.Hal.Scsi;
using HwFence.Scsi.Capacity;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;
using HwFence.Scsi.Tests.Fakes;
using HwFence.Scsi.UnitAttention;
using HwFence.Testing;

namespace HwFence.Scsi.Tests.Device;

public sealed class ScsiDeviceTests
{
    [Fact]
    public async Task TryTestUnitReady_returns_reservation_conflict_as_data()
    {
        var t = new ScriptedTransport().Then(ScsiStatus.ReservationConflict);
        await using var d = new ScsiDevice(t);

        var o = await d.TryTestUnitReadyAsync();

        Assert.True(o.IsReservationConflict);
        Assert.False(o.IsGood);
        Assert.Equal("TEST UNIT READY", o.Command);
        Assert.Equal(new byte[6], t.Cdbs.Single());
    }

    [Fact]
    public async Task Write_throws_typed_exception_naming_device_command_and_remedy()
    {
        var t = new ScriptedTransport("iscsi://127.0.0.1:3260/iqn.2026-01.test:disk/1").Then(ScsiStatus.ReservationConflict);
        await using var d = new ScsiDevice(t);

        var ex = await Assert.ThrowsAsync<ScsiCommandException>(async () => await d.WriteAsync(10, 1, new byte[512]));

        Assert.Equal(ScsiStatus.ReservationConflict, ex.Status);
        Assert.Equal("WRITE(10)", ex.Command);
        Assert.StartsWith("device iscsi://127.0.0.1:3260/iqn.2026-01.test:disk/1: RESERVATION CONFLICT on WRITE(10) — ", ex.Message);
        Assert.Contains("fenced", ex.Message);
    }

    [Fact]
    public async Task Check_condition_exception_carries_sense_key_asc_ascq()
    {
        var t = new ScriptedTransport().Then(ScsiStatus.CheckCondition, SenseBytes.Fixed(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb));
        await using var d = new ScsiDevice(t);

        var ex = await Assert.ThrowsAsync<ScsiCommandException>(async () => await d.ReadFullStatusAsync());

        Assert.Equal(SenseKey.IllegalRequest, ex.SenseKey);
        Assert.Equal((byte)0x24, ex.Asc);
        Assert.Equal((byte)0x00, ex.Ascq);
        Assert.True(ex.Outcome.IsNotSupported);
        Assert.Contains("PERSISTENT RESERVE IN (READ FULL STATUS)", ex.Message);
        Assert.Contains("INVALID FIELD IN CDB", ex.Message);
    }

    [Fact]
    public async Task Unit_attention_is_consumed_retried_and_reported()
    {
        var clock = new FakeTimeProvider();
        var t = new ScriptedTransport()
            .Then(ScsiStatus.CheckCondition, SenseBytes.UnitAttention(AdditionalSense.PowerOnResetOrBusDeviceResetOccurred))
            .Then(ScsiStatus.CheckCondition, SenseBytes.UnitAttention(AdditionalSense.RegistrationsPreempted))
            .Then(ScsiStatus.ReservationConflict);
        await using var d = new ScsiDevice(t, new ScsiDeviceOptions { TimeProvider = clock });
        var events = new List<UnitAttentionEvent>();
        d.UnitAttentions.Seen += events.Add;

        var o = await d.TryWriteAsync(0, 1, new byte[512], fua: true);

        Assert.Equal(3, t.Count);
        Assert.All(t.Cdbs, c => Assert.Equal(t.Cdbs[0], c)); // the same CDB re-issued
        Assert.True(o.IsReservationConflict);
        Assert.Equal(2, o.UnitAttentionCount);
        Assert.Equal(UnitAttentionKind.PowerOnOrReset | UnitAttentionKind.RegistrationsPreempted, o.UnitAttentions);
        Assert.Equal([AdditionalSense.PowerOnResetOrBusDeviceResetOccurred, AdditionalSense.RegistrationsPreempted], events.Select(e => e.Condition));
        Assert.All(events, e => Assert.Equal(clock.GetUtcNow(), e.At));
        Assert.Equal(2, d.UnitAttentions.Recent.Count);
        var ex = Assert.Throws<ScsiCommandException>(o.ThrowIfNotGood);
        Assert.Contains("has been fenced", ex.Message);
    }

    [Fact]
    public async Task Unit_attention_retries_are_bounded()
    {
        var ua = SenseBytes.UnitAttention(AdditionalSense.ReportedLunsDataChanged);
        var t = new ScriptedTransport { Default = new(ScsiStatus.CheckCondition, ua) };
        await using var d = new ScsiDevice(t, new ScsiDeviceOptions { UnitAttentionRetries = 3 });

        var o = await d.TryTestUnitReadyAsync();

        Assert.Equal(4, t.Count); // first try + 3 retries
        Assert.True(o.Is(SenseKey.UnitAttention));
        Assert.Equal(4, o.UnitAttentionCount);
        var ex = Assert.Throws<ScsiCommandException>(o.ThrowIfNotGood);
        Assert.Contains("unit attention", ex.Message);
    }

    [Fact]
    public async Task Deferred_unit_attention_is_not_retried()
    {
        var sense = SenseBytes.UnitAttention(AdditionalSense.PowerOnOccurred);
        sense[0] = 0x71; // deferred error
        var t = new ScriptedTransport().Then(ScsiStatus.CheckCondition, sense);
        await using var d = new ScsiDevice(t);

        var o = await d.TryTestUnitReadyAsync();

        Assert.Equal(1, t.Count);
        Assert.Equal(0, o.UnitAttentionCount);
    }

    [Fact]
    public async Task ClearUnitAttentions_lists_what_was_pending()
    {
        var t = new ScriptedTransport()
            .Then(ScsiStatus.CheckCondition, SenseBytes.UnitAttention(AdditionalSense.PowerOnOccurred))
            .Then(ScsiStatus.CheckCondition, SenseBytes.UnitAttention(AdditionalSense.ReservationsPreempted));
        await using var d = new ScsiDevice(t);

        var seen = await d.ClearUnitAttentionsAsync();

        Assert.Equal([UnitAttentionKind.PowerOnOrReset, UnitAttentionKind.ReservationsPreempted], seen.Select(e => e.Kind));
        Assert.Empty(await d.ClearUnitAttentionsAsync());
    }

    [Fact]
    public async Task Read_uses_10_byte_cdb_when_it_fits_and_16_otherwise()
    {
        var t = new ScriptedTransport();
        await using var d = new ScsiDevice(t);

        await d.ReadAsync(0xFFFF_FFFE, 2, new byte[1024]);
        await d.ReadAsync(0xFFFF_FFFF, 2, new byte[1024]);
        await d.ReadAsync(0, 70_000, new byte[512]);

        Assert.Equal([ScsiOpcode.Read10, ScsiOpcode.Read16, ScsiOpcode.Read16], t.Cdbs.Select(c => c[0]));
    }

    [Fact]
    public async Task Fua_write_sets_the_fua_bit_and_sends_the_data()
    {
        var t = new ScriptedTransport();
        await using var d = new ScsiDevice(t);
        var block = Enumerable.Range(0, 512).Select(i => (byte)i).ToArray();

        await d.WriteAsync(7, 1, block, fua: true);

        Assert.True(Cdb.HasFua(t.Cdbs[0]));
        Assert.Equal(block, t.DataOut.Single());
    }

    [Fact]
    public async Task Read_checks_the_buffer_against_the_known_block_length()
    {
        var rc = new byte[8];
        ReadCapacity10Data.Write(rc, 1000, 4096);
        var t = new ScriptedTransport().Then(ScsiStatus.Good, data: rc);
        await using var d = new ScsiDevice(t);

        var cap = await d.ReadCapacityAsync();

        Assert.Equal(1000UL, cap.BlockCount);
        Assert.Equal(4096u, d.BlockLength);
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await d.ReadAsync(0, 1, new byte[512]));
        Assert.Contains("4096", ex.Message);
    }

    [Fact]
    public async Task ReadCapacity_falls_back_to_16_for_huge_disks()
    {
        var rc10 = new byte[8];
        ReadCapacity10Data.Write(rc10, 1UL << 33, 512);
        var rc16 = new byte[32];
        new ReadCapacity16Data((1UL << 33) - 1, 512, ThinProvisioned: true).Write(rc16);
        var t = new ScriptedTransport().Then(ScsiStatus.Good, data: rc10).Then(ScsiStatus.Good, data: rc16);
        await using var d = new ScsiDevice(t);

        var cap = await d.ReadCapacityAsync();

        Assert.Equal(1UL << 33, cap.BlockCount);
        Assert.True(cap.ThinProvisioned);
        Assert.Equal(ScsiOpcode.ServiceActionIn16, t.Cdbs[1][0]);
    }

    [Fact]
    public async Task ReadKeys_reasks_with_a_larger_buffer_when_the_list_was_cut()
    {
        ulong[] keys = Enumerable.Range(1, 40).Select(i => (ulong)i).ToArray();
        var full = new byte[PrReadKeysData.LengthFor(keys.Length)];
        PrReadKeysData.Write(full, 9, keys);
        var t = new ScriptedTransport().Then(ScsiStatus.Good, data: full).Then(ScsiStatus.Good, data: full);
        await using var d = new ScsiDevice(t);

        var r = await d.ReadKeysAsync();

        Assert.Equal(2, t.Count); // 256-byte first try holds 31 keys
        Assert.Equal(keys, r.Keys);
        Assert.Equal(9u, r.Generation);
        Assert.False(r.Truncated);
    }

    [Fact]
    public async Task ReadReservation_parses_holder_and_none()
    {
        var some = new byte[24];
        PrReadReservationData.Write(some, 3, new PrReservation(0xAB, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        var none = new byte[8];
        PrReadReservationData.Write(none, 4, null);
        var t = new ScriptedTransport().Then(ScsiStatus.Good, data: some).Then(ScsiStatus.Good, data: none);
        await using var d = new ScsiDevice(t);

        var a = await d.ReadReservationAsync();
        var b = await d.ReadReservationAsync();

        Assert.Equal(new PrReservation(0xAB, PersistentReservationType.WriteExclusiveRegistrantsOnly), a.Reservation);
        Assert.Null(b.Reservation);
        Assert.Equal(4u, b.Generation);
    }

    [Fact]
    public async Task Malformed_response_names_device_command_and_field()
    {
        var t = new ScriptedTransport("emu:d0").Then(ScsiStatus.Good, data: [0, 0, 0, 1, 0, 0, 0, 3]);
        await using var d = new ScsiDevice(t);

        var ex = await Assert.ThrowsAsync<ScsiResponseException>(async () => await d.ReadKeysAsync());

        Assert.Contains("device emu:d0", ex.Message);
        Assert.Contains("READ KEYS", ex.Message);
        Assert.Contains("ADDITIONAL LENGTH 3", ex.Message);
    }

    [Fact]
    public async Task PrOut_sends_cdb_and_parameter_list()
    {
        var t = new ScriptedTransport();
        await using var d = new ScsiDevice(t);

        var o = await d.TryPreemptAsync(0x1111, 0x2222, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: true);

        Assert.True(o.IsGood);
        Assert.Equal("PERSISTENT RESERVE OUT (PREEMPT AND ABORT)", o.Command);
        var cdb = t.Cdbs.Single();
        Assert.Equal([0x5F, 0x05, 0x05, 0, 0, 0, 0, 0, 24, 0], cdb);
        var list = PrOutParameterList.Parse(t.DataOut.Single());
        Assert.Equal(0x1111UL, list.ReservationKey);
        Assert.Equal(0x2222UL, list.ServiceActionReservationKey);
    }

    [Fact]
    public async Task Register_uses_register_and_ignore_with_the_new_key_as_service_action_key()
    {
        var t = new ScriptedTransport();
        await using var d = new ScsiDevice(t);

        await d.RegisterAsync(0xFEED, PrOutFlags.Aptpl);

        Assert.Equal((byte)PrOutServiceAction.RegisterAndIgnoreExistingKey, t.Cdbs[0][1]);
        var list = PrOutParameterList.Parse(t.DataOut.Single());
        Assert.Equal(0UL, list.ReservationKey);
        Assert.Equal(0xFEEDUL, list.ServiceActionReservationKey);
        Assert.Equal(PrOutFlags.Aptpl, list.Flags);
    }

    [Fact]
    public async Task Default_timeout_comes_from_options_and_callers_can_override()
    {
        var t = new ScriptedTransport();
        await using var d = new ScsiDevice(t, new ScsiDeviceOptions { DefaultTimeout = TimeSpan.FromSeconds(7) });

        await d.TestUnitReadyAsync();
        await d.TestUnitReadyAsync(TimeSpan.FromMilliseconds(300));

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(300)], t.Timeouts);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_naming_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ScsiDevice(new ScriptedTransport(), new ScsiDeviceOptions { DefaultTimeout = TimeSpan.Zero, UnitAttentionRetries = -1 }));
        Assert.Contains("DefaultTimeout", ex.Message);
        Assert.Contains("UnitAttentionRetries", ex.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Dispose_disposes_an_owned_transport_only()
    {
        var owned = new ScriptedTransport();
        var shared = new ScriptedTransport();
        await new ScsiDevice(owned).DisposeAsync();
        var d = new ScsiDevice(shared, ownsTransport: false);
        await d.DisposeAsync();
        await d.DisposeAsync();

        Assert.True(owned.Disposed);
        Assert.False(shared.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await d.TryTestUnitReadyAsync());
    }

    [Fact]
    public async Task Tur_read_write_and_read_reservation_do_not_allocate_in_steady_state()
    {
        var rr = new byte[24];
        PrReadReservationData.Write(rr, 1, new PrReservation(5, PersistentReservationType.WriteExclusive));
        var t = new ScriptedTransport { Record = false, Default = new(ScsiStatus.Good, Data: rr) };
        await using var d = new ScsiDevice(t);
        var buffer = new byte[512];

        // Inline loops (no local async function): the test method's own state machine already exists.
        long before = 0;
        for (int i = 0; i < 1100; i++)
        {
            if (i == 100)
            {
                before = GC.GetAllocatedBytesForCurrentThread(); // after warming up JIT and pools
            }

            await d.TryTestUnitReadyAsync();
            await d.TryReadAsync(1, 1, buffer);
            await d.TryWriteAsync(1, 1, buffer, fua: true);
            await d.ReadReservationAsync();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}

using HwFence.Emulator.Tests.Support;
using HwFence.Hal.Scsi;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.Tests.LogicalUnits;

/// <summary>SPC-4 §5.13 persistent reservations: service actions, the conflict table and unit attentions.</summary>
public sealed class PersistentReservationTests
{
    private const ulong KeyA = 0xA0A0, KeyB = 0xB0B0, KeyC = 0xC0C0;

    public enum Role { Registered, Unregistered }

    public enum Op { Read, Write, Tur, ModeSense, ReadCapacity, Inquiry }

    /// <summary>
    /// SPC-4 table 62 / SBC-3 table 13 for a nexus that does not hold the reservation. Expected
    /// values are written from the standard's table, not from the implementation.
    /// </summary>
    public static TheoryData<PersistentReservationType, Role, Op, bool> ConflictTable()
    {
        var d = new TheoryData<PersistentReservationType, Role, Op, bool>();
        foreach (var type in PersistentReservationTypeNames.All)
        {
            bool we = type is PersistentReservationType.WriteExclusive or PersistentReservationType.WriteExclusiveRegistrantsOnly or PersistentReservationType.WriteExclusiveAllRegistrants;
            bool shared = type is not (PersistentReservationType.WriteExclusive or PersistentReservationType.ExclusiveAccess);
            foreach (var role in new[] { Role.Registered, Role.Unregistered })
            {
                bool registrantAccess = shared && role == Role.Registered;
                d.Add(type, role, Op.Read, we || registrantAccess);
                d.Add(type, role, Op.ModeSense, we || registrantAccess);
                d.Add(type, role, Op.Write, registrantAccess);
                d.Add(type, role, Op.Tur, true);
                d.Add(type, role, Op.ReadCapacity, true);
                d.Add(type, role, Op.Inquiry, true);
            }
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(ConflictTable))]
    public async Task Non_holder_access_follows_the_spc4_conflict_table(PersistentReservationType type, Role role, Op op, bool allowed)
    {
        await using var f = new DiskFixture();
        var holder = f.Initiator(DiskFixture.NodeA);
        var other = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, holder.Register(KeyA));
        if (role == Role.Registered)
        {
            Assert.Equal(ScsiStatus.Good, other.Register(KeyB));
        }

        Assert.Equal(ScsiStatus.Good, holder.Reserve(KeyA, type));
        var status = op switch
        {
            Op.Read => other.Read(0, 1),
            Op.Write => other.Write(0, new byte[512]),
            Op.Tur => other.Tur(),
            Op.ModeSense => other.ModeSense6(),
            Op.ReadCapacity => other.ReadCapacity10(),
            _ => other.Run([0x12, 0, 0, 0, 36, 0], DataDirection.FromDevice, new byte[36]),
        };
        Assert.Equal(allowed ? ScsiStatus.Good : ScsiStatus.ReservationConflict, status);

        // The holder itself is never in conflict.
        Assert.Equal(ScsiStatus.Good, holder.Write(0, new byte[512]));
        Assert.Equal(ScsiStatus.Good, holder.Read(0, 1));
    }

    /// <summary>Connects NodeA, NodeB and NodeC; the first <paramref name="count"/> register KeyA, KeyB, KeyC.</summary>
    private static (TestInitiator A, TestInitiator B, TestInitiator C) Registered(DiskFixture f, int count = 3)
    {
        var initiators = new[] { f.Initiator(DiskFixture.NodeA), f.Initiator(DiskFixture.NodeB), f.Initiator(DiskFixture.NodeC) };
        ulong[] keys = [KeyA, KeyB, KeyC];
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(ScsiStatus.Good, initiators[i].Register(keys[i]));
        }

        return (initiators[0], initiators[1], initiators[2]);
    }

    [Fact]
    public async Task Register_reserve_read_keys_and_generation()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        uint g0 = a.ReadKeys().Generation;
        Assert.Equal(ScsiStatus.Good, a.Register(KeyA));
        Assert.Equal(ScsiStatus.Good, b.Register(KeyB));
        var keys = a.ReadKeys();
        Assert.Equal(g0 + 2, keys.Generation);
        Assert.Equal(new[] { KeyA, KeyB }, keys.Keys);

        Assert.Equal(ScsiStatus.ReservationConflict, a.Register(0x99, oldKey: 0x98)); // wrong current key
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(g0 + 2, a.ReadKeys().Generation); // RESERVE does not bump PRgeneration
        var r = b.ReadReservation();
        Assert.Equal(KeyA, r.Reservation!.Value.Key);
        Assert.Equal(PersistentReservationType.WriteExclusiveRegistrantsOnly, r.Reservation.Value.Type);

        Assert.Equal(ScsiStatus.ReservationConflict, b.Reserve(KeyB, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(ScsiStatus.ReservationConflict, a.Reserve(KeyA, PersistentReservationType.ExclusiveAccess)); // other type
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly)); // same: no-op
        a.AssertCheck(a.Release(KeyA, PersistentReservationType.ExclusiveAccess), SenseKey.IllegalRequest, AdditionalSense.InvalidReleaseOfPersistentReservation);
        Assert.Equal(ScsiStatus.Good, b.Release(KeyB, PersistentReservationType.WriteExclusiveRegistrantsOnly)); // not holder: no effect
        Assert.NotNull(a.ReadReservation().Reservation);
    }

    [Fact]
    public async Task Unregistered_nexus_cannot_reserve_release_clear_or_preempt()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        Assert.Equal(ScsiStatus.Good, a.Register(KeyA));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Reserve(KeyB, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Release(KeyB, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Clear(KeyB));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Preempt(KeyB, KeyA, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.ReservationConflict, b.Register(0x5, oldKey: 0x4)); // unregistered with a nonzero key
        Assert.Equal(ScsiStatus.Good, b.Register(0)); // nothing to do
        Assert.Single(a.ReadKeys().Keys);
    }

    [Fact]
    public async Task Preempt_removes_the_holder_and_reports_registrations_preempted()
    {
        await using var f = new DiskFixture();
        var (a, b, c) = Registered(f);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        uint g = a.ReadKeys().Generation;

        Assert.Equal(ScsiStatus.Good, b.Preempt(KeyB, KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(g + 1, b.ReadKeys().Generation);
        Assert.Equal(new[] { KeyB, KeyC }, b.ReadKeys().Keys);
        Assert.Equal(KeyB, b.ReadReservation().Reservation!.Value.Key);

        a.AssertCheck(a.Tur(), SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        Assert.Equal(ScsiStatus.ReservationConflict, a.Write(0, new byte[512]));
        Assert.Equal(ScsiStatus.Good, c.Tur()); // same type and scope: no RESERVATIONS RELEASED for c
        Assert.Equal(ScsiStatus.Good, c.Write(0, new byte[512]));
    }

    [Fact]
    public async Task Preempt_that_changes_the_type_tells_remaining_registrants_reservations_released()
    {
        await using var f = new DiskFixture();
        var (a, b, c) = Registered(f);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(ScsiStatus.Good, b.Preempt(KeyB, KeyA, PersistentReservationType.ExclusiveAccess));
        c.AssertCheck(c.Tur(), SenseKey.UnitAttention, AdditionalSense.ReservationsReleased);
        Assert.Equal(ScsiStatus.Good, b.Tur());
    }

    [Fact]
    public async Task Preempt_of_a_non_holder_key_removes_only_that_registration()
    {
        await using var f = new DiskFixture();
        var (a, b, c) = Registered(f);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.Good, b.Preempt(KeyB, KeyC, PersistentReservationType.WriteExclusive));
        Assert.Equal(KeyA, b.ReadReservation().Reservation!.Value.Key);
        Assert.Equal(new[] { KeyA, KeyB }, b.ReadKeys().Keys);
        c.AssertCheck(c.Tur(), SenseKey.UnitAttention, AdditionalSense.RegistrationsPreempted);
        Assert.Equal(ScsiStatus.Good, a.Tur());
        Assert.Equal(ScsiStatus.ReservationConflict, b.Preempt(KeyB, 0x777, PersistentReservationType.WriteExclusive)); // no such key
        b.AssertCheck(b.ProutRaw(PrOutServiceAction.Preempt, PersistentReservationType.WriteExclusive, KeyB, 0), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
    }

    [Fact]
    public async Task Release_of_a_registrants_only_reservation_tells_the_other_registrants()
    {
        await using var f = new DiskFixture();
        var (a, b, c) = Registered(f, count: 2);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.ExclusiveAccessRegistrantsOnly));
        Assert.Equal(ScsiStatus.Good, a.Release(KeyA, PersistentReservationType.ExclusiveAccessRegistrantsOnly));
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.ReservationsReleased);
        Assert.Equal(ScsiStatus.Good, a.Tur()); // not to the releaser
        Assert.Equal(ScsiStatus.Good, c.Tur()); // not to a non-registrant
    }

    [Fact]
    public async Task Release_of_a_write_exclusive_reservation_raises_no_unit_attention()
    {
        await using var f = new DiskFixture();
        var (a, b, _) = Registered(f, count: 2);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.Good, a.Release(KeyA, PersistentReservationType.WriteExclusive));
        Assert.Equal(ScsiStatus.Good, b.Tur());
    }

    [Fact]
    public async Task Holder_of_a_registrants_only_reservation_unregistering_releases_it_with_unit_attention()
    {
        await using var f = new DiskFixture();
        var (a, b, _) = Registered(f, count: 2);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly));
        Assert.Equal(ScsiStatus.Good, a.Register(0, oldKey: KeyA));
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.ReservationsReleased);
        Assert.Null(b.ReadReservation().Reservation);
    }

    [Fact]
    public async Task All_registrants_reservation_survives_until_the_last_registrant_leaves()
    {
        await using var f = new DiskFixture();
        var (a, b, _) = Registered(f, count: 2);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.ExclusiveAccessAllRegistrants));
        Assert.Equal(0UL, b.ReadReservation().Reservation!.Value.Key); // key is zero for all-registrants types
        Assert.Equal(ScsiStatus.Good, b.Write(0, new byte[512])); // every registrant is a holder
        Assert.Equal(ScsiStatus.Good, a.Register(0, oldKey: KeyA));
        Assert.NotNull(b.ReadReservation().Reservation);
        Assert.Equal(ScsiStatus.ReservationConflict, a.Read(0, 1));
        Assert.Equal(ScsiStatus.Good, b.Register(0, oldKey: KeyB));
        Assert.Null(b.ReadReservation().Reservation);
    }

    [Fact]
    public async Task Clear_removes_everything_and_reports_reservations_preempted_to_the_others()
    {
        await using var f = new DiskFixture();
        var (a, b, _) = Registered(f, count: 2);
        Assert.Equal(ScsiStatus.Good, a.Reserve(KeyA, PersistentReservationType.ExclusiveAccess));
        uint g = a.ReadKeys().Generation;
        Assert.Equal(ScsiStatus.Good, a.Clear(KeyA));
        Assert.Empty(a.ReadKeys().Keys);
        Assert.Equal(g + 1, a.ReadKeys().Generation);
        b.AssertCheck(b.Tur(), SenseKey.UnitAttention, AdditionalSense.ReservationsPreempted);
        Assert.Equal(ScsiStatus.Good, a.Tur());
    }

    [Fact]
    public async Task Spec_i_pt_is_rejected_cleanly_and_report_capabilities_says_so()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        a.AssertCheck(a.Register(KeyA, flags: PrOutFlags.SpecIPt), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList);
        Assert.Equal(new SenseKeySpecific(false, 20, 3), a.LastSense!.Value.KeySpecific);
        var caps = PrCapabilities.Parse(a.PrIn(PrInServiceAction.ReportCapabilities));
        Assert.False(caps.SpecifyInitiatorPortsCapable);
        Assert.True(caps.AllTargetPortsCapable);
        Assert.True(caps.PersistThroughPowerLossCapable);
        foreach (var t in PersistentReservationTypeNames.All)
        {
            Assert.True(caps.Supports(t));
        }
    }

    [Fact]
    public async Task Parameter_list_length_other_than_24_is_a_length_error()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        a.AssertCheck(a.Run([0x5F, 0x00, 0, 0, 0, 0, 0, 0, 20, 0], DataDirection.ToDevice, new byte[20]), SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
        a.AssertCheck(a.Run([0x5F, 0x07, 0, 0, 0, 0, 0, 0, 24, 0], DataDirection.ToDevice, new byte[24]), SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
    }

    [Fact]
    public async Task Read_full_status_lists_each_registration_with_its_iscsi_transport_id()
    {
        await using var f = new DiskFixture();
        var a = f.Initiator(DiskFixture.NodeA);
        var b = f.Initiator(DiskFixture.NodeB);
        a.Register(KeyA, flags: PrOutFlags.AllTgPt);
        b.Register(KeyB);
        a.Reserve(KeyA, PersistentReservationType.WriteExclusive);
        var status = PrFullStatusData.Parse(a.PrIn(PrInServiceAction.ReadFullStatus));
        Assert.Equal(2, status.Registrations.Count);
        var da = status.Registrations.Single(d => d.Key == KeyA);
        Assert.True(da.ReservationHolder);
        Assert.True(da.AllTargetPorts);
        Assert.Equal(DiskFixture.NodeA, da.TransportId.IscsiName);
        var db = status.Registrations.Single(d => d.Key == KeyB);
        Assert.False(db.ReservationHolder);
        Assert.Equal(2, db.RelativeTargetPortId);
    }

    [Fact]
    public async Task Registration_belongs_to_the_initiator_port_so_another_isid_is_not_registered()
    {
        await using var f = new DiskFixture();
        var a1 = f.Initiator(DiskFixture.NodeA, isid: 0x1);
        var a2 = f.Initiator(DiskFixture.NodeA, isid: 0x2);
        a1.Register(KeyA);
        a1.Reserve(KeyA, PersistentReservationType.WriteExclusiveRegistrantsOnly);
        Assert.Equal(ScsiStatus.ReservationConflict, a2.Write(0, new byte[512]));
        Assert.Equal(ScsiStatus.Good, a1.Write(0, new byte[512]));

        // Registrations survive the loss of the nexus: the same initiator port reconnects still registered.
        a1.Loopback.SimulateNexusLoss();
        a1.ClearUnitAttentions();
        Assert.Equal(ScsiStatus.Good, a1.Write(0, new byte[512]));
    }
}

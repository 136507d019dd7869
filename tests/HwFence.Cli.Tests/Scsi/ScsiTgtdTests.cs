using System.Text.Json;
using HwFence.Scsi;
using HwFence.Scsi.Addressing;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.UnitAttention;
using HwFence.Testing;

namespace HwFence.Cli.Tests.Scsi;

/// <summary>
/// <c>hwfence scsi</c> through the built-in iSCSI initiator against tgtd (a target we did not
/// write), two initiators by name. Node A is a long-lived <see cref="ScsiDevice"/> (its iSCSI
/// session is its I_T nexus: an SPC-2 reservation lives as long as it does); node B is the CLI.
/// </summary>
public sealed class ScsiTgtdTests(TgtdFixture tgtd) : IClassFixture<TgtdFixture>
{
    private const string A = "iqn.2026-01.test.cli:node-a";
    private const string B = "iqn.2026-01.test.cli:node-b";

    private static ScsiCli.Result Cli(string initiator, string device, params string[] args) =>
        ScsiCli.Run([.. args, device, "--initiator-name", initiator, "--timeout", "10"]);

    private static ValueTask<ScsiDevice> OpenAsync(string address, string initiator) =>
        new ScsiTransportFactory().OpenDeviceAsync(address, new ScsiTransportOpenOptions { InitiatorName = initiator });

    [RequiresTgtdFact]
    public void Inquiry_readcap_and_tur_through_the_initiator()
    {
        var target = tgtd.CreateTarget();

        var tur = Cli(B, target.Address, "scsi", "tur");
        Assert.Equal(0, tur.ExitCode);
        Assert.Contains($"device {target.Address}: ready", tur.Out);

        var inq = Cli(B, target.Address, "scsi", "inquiry");
        Assert.Equal(0, inq.ExitCode);
        Assert.Contains("Vendor identification: IET", inq.Out);

        var cap = Cli(B, target.Address, "scsi", "readcap", "--json");
        Assert.Equal(0, cap.ExitCode);
        using var doc = JsonDocument.Parse(cap.Out);
        Assert.Equal(target.LunSizeBytes, doc.RootElement.GetProperty("bytes").GetInt64());

        var di = Cli(B, target.Address, "scsi", "inquiry", "--page", "0x83");
        Assert.Equal(0, di.ExitCode);
        Assert.Contains("Designation descriptor", di.Out);
    }

    [RequiresTgtdFact]
    public async Task Reserve6_by_A_makes_B_conflict_until_A_releases()
    {
        var target = tgtd.CreateTarget();
        await using var nodeA = await OpenAsync(target.Address, A);
        await nodeA.ClearUnitAttentionsAsync();
        await nodeA.ReserveAsync();

        var reserve = Cli(B, target.Address, "scsi", "reserve");
        Assert.Equal(24, reserve.ExitCode);
        Assert.Contains($"device {target.Address}: RESERVATION CONFLICT on RESERVE(6)", reserve.Error);
        Assert.Equal(24, Cli(B, target.Address, "scsi", "tur").ExitCode);

        await using (var nodeB = await OpenAsync(target.Address, B))
        {
            var write = await nodeB.TryWriteAsync(0, 1, new byte[512]);
            Assert.True(write.IsReservationConflict, write.ToString());
        }

        await nodeA.ReleaseAsync();
        Assert.Equal(0, Cli(B, target.Address, "scsi", "reserve").ExitCode);
    }

    [RequiresTgtdFact]
    public async Task Reset_by_B_breaks_As_reserve_on_a_target_we_did_not_write()
    {
        var target = tgtd.CreateTarget();
        await using var nodeA = await OpenAsync(target.Address, A);
        await nodeA.ClearUnitAttentionsAsync();
        await nodeA.ReserveAsync();
        Assert.Equal(24, Cli(B, target.Address, "scsi", "tur").ExitCode);

        var reset = Cli(B, target.Address, "scsi", "reset");
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains($"device {target.Address}: LOGICAL UNIT RESET completed", reset.Out);

        // tgtd released RESERVE(6) with the reset: B can take the disk, and A finds it reserved.
        Assert.Equal(0, Cli(B, target.Address, "scsi", "tur").ExitCode);
        await using var nodeB = await OpenAsync(target.Address, B);
        await nodeB.ClearUnitAttentionsAsync();
        await nodeB.ReserveAsync();
        var write = await nodeA.TryWriteAsync(0, 1, new byte[512]);
        Assert.True(write.IsReservationConflict, write.ToString());
    }

    [RequiresTgtdFact]
    public async Task Preempt_fences_A_which_sees_unit_attention_then_reservation_conflict()
    {
        // tgtd keys registrations by I_T nexus (iSCSI session), so both nodes keep one session open;
        // the CLI, a third initiator, watches.
        const string Observer = "iqn.2026-01.test.cli:observer";
        var target = tgtd.CreateTarget();
        await using var nodeA = await OpenAsync(target.Address, A);
        await using var nodeB = await OpenAsync(target.Address, B);
        await nodeA.ClearUnitAttentionsAsync();
        await nodeB.ClearUnitAttentionsAsync();
        await nodeA.RegisterAsync(0xA1);
        await nodeB.RegisterAsync(0xB2);
        (await nodeA.TryPersistentReserveAsync(0xA1, PersistentReservationType.WriteExclusiveRegistrantsOnly)).ThrowIfNotGood();

        var held = Cli(Observer, target.Address, "scsi", "pr", "in", "--read-reservation");
        Assert.Equal(0, held.ExitCode);
        Assert.Contains("Key=0xa1", held.Out);
        Assert.Contains("Write Exclusive, registrants only", held.Out);

        (await nodeB.TryPreemptAsync(0xB2, 0xA1, PersistentReservationType.WriteExclusiveRegistrantsOnly, abort: false)).ThrowIfNotGood();

        var write = await nodeA.TryWriteAsync(0, 1, new byte[512]);
        Assert.True(write.IsReservationConflict, write.ToString());
        Assert.True((write.UnitAttentions & (UnitAttentionKind.RegistrationsPreempted | UnitAttentionKind.ReservationsPreempted)) != 0,
            $"expected a preemption UNIT ATTENTION before the conflict, saw {write.UnitAttentions}");
        var ex = Assert.Throws<ScsiCommandException>(write.ThrowIfNotGood);
        Assert.Contains("RESERVATION CONFLICT on WRITE(10)", ex.Message);
        Assert.Contains("fenced", ex.Message);

        var keys = Cli(Observer, target.Address, "scsi", "pr", "in", "--read-keys", "--json");
        Assert.Equal(0, keys.ExitCode);
        using var doc = JsonDocument.Parse(keys.Out);
        Assert.Equal(["0xb2"], doc.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        var reservation = Cli(Observer, target.Address, "scsi", "pr", "in", "--read-reservation", "--json");
        using var r = JsonDocument.Parse(reservation.Out);
        Assert.Equal("0xb2", r.RootElement.GetProperty("reservation").GetProperty("key").GetString());
    }

    [RequiresTgtdFact]
    public void Tgtd_lacks_preempt_and_abort_and_read_full_status_which_exit_9()
    {
        var target = tgtd.CreateTarget();
        Assert.Equal(0, Cli(B, target.Address, "scsi", "pr", "out", "--register", "--param-sark", "b2").ExitCode);

        var pa = Cli(B, target.Address, "scsi", "pr", "out", "--preempt-abort", "--param-rk", "b2", "--param-sark", "b2", "--prout-type", "5");
        Assert.Equal(9, pa.ExitCode);
        Assert.Contains("PERSISTENT RESERVE OUT (PREEMPT AND ABORT)", pa.Error);
        Assert.Contains("ILLEGAL REQUEST", pa.Error);

        var fs = Cli(B, target.Address, "scsi", "pr", "in", "--read-full-status");
        Assert.Equal(9, fs.ExitCode);
        Assert.Contains("does not implement", fs.Error);

        var caps = Cli(B, target.Address, "scsi", "pr", "in", "--report-capabilities");
        Assert.Equal(0, caps.ExitCode);
    }

    [RequiresTgtdFact]
    public void Unknown_target_is_a_transport_error_naming_the_device()
    {
        string address = $"iscsi://127.0.0.1:{tgtd.Port}/iqn.2026-01.test:no-such-target/1";
        var r = Cli(B, address, "scsi", "tur");
        Assert.Equal(35, r.ExitCode);
        Assert.Contains(address, r.Error);
    }
}

using System.Text.Json;
using HwFence.Emulator;
using HwFence.Scsi;

namespace HwFence.Cli.Tests.Scsi;

/// <summary>
/// <c>hwfence scsi</c> end to end against the in-process emulated disk (two initiators by
/// --initiator-name), plus argument parsing and exit codes.
/// </summary>
public sealed class ScsiCommandTests : IAsyncLifetime
{
    private const string A = "iqn.2026-01.test:node-a";
    private const string B = "iqn.2026-01.test:node-b";
    private EmulatedDisk _disk = null!;

    private string Dev => _disk.Address;

    public Task InitializeAsync()
    {
        _disk = EmulatedDisk.CreateInMemory(64L << 20, "cli-" + Guid.NewGuid().ToString("N")[..8]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _disk.DisposeAsync();

    private ScsiCli.Result As(string initiator, params string[] args) =>
        ScsiCli.Run([.. args, Dev, "--initiator-name", initiator]);

    [Fact]
    public void Tur_on_a_ready_disk_exits_0()
    {
        var r = As(A, "scsi", "tur");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"device {Dev}: ready", r.Out);
    }

    [Fact]
    public async Task Spc2_reserve_held_by_another_node_gives_reservation_conflict_until_released()
    {
        // Node A holds RESERVE(6) on its own long-lived nexus (a CLI call's nexus ends with the call,
        // and an SPC-2 reservation ends with its nexus).
        await using var nodeA = new ScsiDevice(_disk.Connect(A));
        await nodeA.ReserveAsync();

        var tur = As(B, "scsi", "tur");
        Assert.Equal(24, tur.ExitCode);
        Assert.Contains($"device {Dev}: RESERVATION CONFLICT on TEST UNIT READY", tur.Error);
        var reserve = As(B, "scsi", "reserve");
        Assert.Equal(24, reserve.ExitCode);
        Assert.Contains("RESERVATION CONFLICT on RESERVE(6)", reserve.Error);

        await nodeA.ReleaseAsync();
        Assert.Equal(0, As(B, "scsi", "reserve").ExitCode);
        Assert.Equal(0, As(B, "scsi", "release").ExitCode);
        Assert.Equal(0, As(B, "scsi", "tur").ExitCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reset_breaks_another_nodes_reserve_and_it_sees_the_unit_attention(bool target)
    {
        await using var nodeA = new ScsiDevice(_disk.Connect(A));
        await nodeA.ReserveAsync();
        Assert.Equal(24, As(B, "scsi", "reserve").ExitCode);

        var reset = target ? As(B, "scsi", "reset", "--target", "--json") : As(B, "scsi", "reset");
        Assert.Equal(0, reset.ExitCode);
        if (target)
        {
            using var doc = JsonDocument.Parse(reset.Out);
            Assert.Equal("TARGET RESET", doc.RootElement.GetProperty("function").GetString());
        }
        else
        {
            Assert.Contains($"device {Dev}: LOGICAL UNIT RESET completed", reset.Out);
        }

        // The holder lost its reservation and is told so (29h/xx POWER ON, RESET, OR BUS DEVICE RESET).
        var tur = await nodeA.TryTestUnitReadyAsync();
        Assert.True(tur.IsGood, tur.ToString());
        Assert.True(tur.UnitAttentions.HasFlag(HwFence.Scsi.UnitAttention.UnitAttentionKind.PowerOnOrReset), tur.UnitAttentions.ToString());
        Assert.Equal(0, As(B, "scsi", "reserve").ExitCode); // 24 before the reset
    }

    [Fact]
    public async Task Reservation_conflict_in_json_mode_is_an_object_with_the_exit_code()
    {
        await using var nodeA = new ScsiDevice(_disk.Connect(A));
        await nodeA.ReserveAsync();
        var r = As(B, "scsi", "tur", "--json");
        Assert.Equal(24, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(24, doc.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal("RESERVATION CONFLICT", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(Dev, doc.RootElement.GetProperty("device").GetString());
    }

    [Fact]
    public void Inquiry_standard_and_vpd_pages()
    {
        var std = As(A, "scsi", "inquiry");
        Assert.Equal(0, std.ExitCode);
        Assert.Contains("Vendor identification:", std.Out);
        Assert.Contains("PDT=0 (disk)", std.Out);

        var pages = As(A, "scsi", "inquiry", "--page", "0");
        Assert.Equal(0, pages.ExitCode);
        Assert.Contains("0x83  Device identification", pages.Out);

        var di = As(A, "scsi", "inquiry", "--page", "0x83", "--json");
        Assert.Equal(0, di.ExitCode);
        using var doc = JsonDocument.Parse(di.Out);
        Assert.NotEmpty(doc.RootElement.GetProperty("designators").EnumerateArray());

        var sn = As(A, "scsi", "inquiry", "--page", "sn");
        Assert.Equal(0, sn.ExitCode);
        Assert.Contains("Unit serial number:", sn.Out);
    }

    [Fact]
    public void Readcap_reports_the_size()
    {
        var r = As(A, "scsi", "readcap", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        long blocks = doc.RootElement.GetProperty("blocks").GetInt64();
        long blockLength = doc.RootElement.GetProperty("blockLength").GetInt64();
        Assert.Equal(64L << 20, blocks * blockLength);

        var text = As(A, "scsi", "readcap");
        Assert.Contains("Logical block length=", text.Out);
    }

    [Fact]
    public void Persistent_reservation_register_reserve_preempt_and_read()
    {
        Assert.Equal(0, As(A, "scsi", "pr", "out", "--register", "--param-sark", "0xa1").ExitCode);
        Assert.Equal(0, As(B, "scsi", "pr", "out", "--register-ignore", "--param-sark", "b2").ExitCode);
        Assert.Equal(0, As(A, "scsi", "pr", "out", "--reserve", "--param-rk", "a1", "--prout-type", "5").ExitCode);

        var keys = As(A, "scsi", "pr", "in", "--read-keys");
        Assert.Equal(0, keys.ExitCode);
        Assert.Contains("2 registered reservation keys follow:", keys.Out);
        Assert.Contains("0xa1", keys.Out);
        Assert.Contains("0xb2", keys.Out);

        var res = As(B, "scsi", "pr", "in", "--read-reservation");
        Assert.Contains("Key=0xa1", res.Out);
        Assert.Contains("Write Exclusive, registrants only", res.Out);

        var preempt = As(B, "scsi", "pr", "out", "--preempt", "--param-rk", "b2", "--param-sark", "a1", "--prout-type", "WE_RO", "--json");
        Assert.Equal(0, preempt.ExitCode);
        Assert.Contains("PERSISTENT RESERVE OUT (PREEMPT)", preempt.Out);

        var after = As(A, "scsi", "pr", "in", "--json");
        Assert.Equal(0, after.ExitCode);
        using var doc = JsonDocument.Parse(after.Out);
        Assert.Equal(["0xb2"], doc.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        // A no longer holds a registration: reserving with its old key is a conflict.
        Assert.Equal(24, As(A, "scsi", "pr", "out", "--reserve", "--param-rk", "a1", "--prout-type", "5").ExitCode);
    }

    [Fact]
    public void Report_capabilities_lists_the_type_mask()
    {
        var r = As(A, "scsi", "pr", "in", "--report-capabilities");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Type Mask Valid(TMV):", r.Out);
    }

    [Fact]
    public void Read_full_status_names_the_initiator_or_reports_not_supported()
    {
        Assert.Equal(0, As(A, "scsi", "pr", "out", "--register", "--param-sark", "a1").ExitCode);
        var r = As(A, "scsi", "pr", "in", "--read-full-status");
        if (r.ExitCode == 9)
        {
            Assert.Contains("does not implement", r.Error);
            return;
        }

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Key=0xa1", r.Out);
        Assert.Contains(A, r.Out);
    }

    [Theory]
    [InlineData("pr", "out", "--param-sark", "1")]
    [InlineData("pr", "out", "--register", "--clear")]
    [InlineData("pr", "out", "--reserve", "--param-rk", "1")]
    [InlineData("pr", "out", "--reserve", "--param-rk", "1", "--prout-type", "2")]
    [InlineData("pr", "out", "--register", "--param-sark", "xyz")]
    [InlineData("pr", "out", "--register", "--param-sark", "12345678901234567")]
    [InlineData("pr", "in", "--read-keys", "--read-reservation")]
    [InlineData("inquiry", "--page", "0x1FF")]
    [InlineData("tur", "--timeout", "0")]
    public void Usage_errors_exit_1_naming_the_option(params string[] args)
    {
        var r = As(A, ["scsi", .. args]);
        Assert.Equal(1, r.ExitCode);
        Assert.NotEqual("", r.Error.Trim());
    }

    [Fact]
    public void Usage_error_messages_say_what_to_do()
    {
        Assert.Contains("--prout-type is required with --reserve", As(A, "scsi", "pr", "out", "--reserve").Error);
        Assert.Contains("reservation type 2 is reserved", As(A, "scsi", "pr", "out", "--reserve", "--prout-type", "2").Error);
        Assert.Contains("--param-sark 'xyz': not a hexadecimal key", As(A, "scsi", "pr", "out", "--register", "--param-sark", "xyz").Error);
    }

    [Fact]
    public void Bad_address_exits_1_naming_the_field()
    {
        var r = ScsiCli.Run("scsi", "tur", "iscsi://127.0.0.1/iqn.2026-01.test:x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("device address 'iscsi://127.0.0.1/iqn.2026-01.test:x': LUN: missing", r.Error);
    }

    [Fact]
    public void Missing_device_exits_35_naming_it()
    {
        var r = ScsiCli.Run("scsi", "tur", "emu:no-such-disk-here");
        Assert.Equal(35, r.ExitCode);
        Assert.Contains("device emu:no-such-disk-here", r.Error);
        Assert.DoesNotContain("(Parameter", r.Error);

        var sg = ScsiCli.Run("scsi", "tur", "/dev/sg-hwfence-missing", "--json");
        Assert.Equal(35, sg.ExitCode);
        using var doc = JsonDocument.Parse(sg.Out);
        Assert.Contains("/dev/sg-hwfence-missing", doc.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Help_documents_the_exit_codes()
    {
        var r = ScsiCli.Run("scsi", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("24 RESERVATION CONFLICT", r.Out);
        Assert.Contains("35 transport error", r.Out);
        Assert.Contains("1 usage error", r.Out);
        foreach (var sub in new[] { "tur", "inquiry", "readcap", "reserve", "release", "reset", "pr" })
        {
            Assert.Contains(sub, r.Out);
        }
    }
}

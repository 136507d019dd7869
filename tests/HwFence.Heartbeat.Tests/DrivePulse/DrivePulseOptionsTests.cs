using HwFence.Heartbeat.DrivePulse;

namespace HwFence.Heartbeat.Tests.DrivePulse;

public class DrivePulseOptionsTests
{
    [Fact]
    public void Single_pulse_kinds_need_exactly_one_peer_to_watch()
    {
        var o = new DrivePulseOptions { Device = "emu:d", Kind = DrivePulseKind.PrGeneration, OwnKey = 1, PeerNodeIds = [2, 3], PeerKeys = new Dictionary<int, ulong> { [2] = 2, [3] = 3 } };
        Assert.Contains(o.Validate(), e => e.Contains("exactly one peer"));
        Assert.Empty(new DrivePulseOptions { Device = "emu:d", Kind = DrivePulseKind.DiskSlot, PeerNodeIds = [2, 3, 4] }.Validate());
    }

    [Fact]
    public void Reserve_toggle_refuses_pulse_and_watch_on_one_lun_and_pr_needs_keys()
    {
        Assert.Contains(new DrivePulseOptions { Device = "emu:d", Kind = DrivePulseKind.ReserveToggle, PeerNodeIds = [2] }.Validate(), e => e.Contains("one LUN per direction"));
        var pr = new DrivePulseOptions { Device = "emu:d", Kind = DrivePulseKind.PrGeneration, PeerNodeIds = [2] }.Validate();
        Assert.Contains(pr, e => e.Contains("registration key"));
        Assert.Contains(pr, e => e.Contains("each peer's registration key"));
        Assert.Contains(new DrivePulseOptions { Device = "emu:d", Kind = DrivePulseKind.DiskSlot, Pulse = false, Watch = false }.Validate(), e => e.Contains("neither pulse nor watch"));
    }

    [Fact]
    public void Disk_slot_records_round_trip_and_damage_is_detected()
    {
        var block = new byte[512];
        var slot = new DiskSlot(3, 77, 12, 34, 56);
        DiskSlotLayout.WriteSlot(block, slot);
        Assert.True(DiskSlotLayout.TryParseSlot(block, out var back));
        Assert.Equal(slot, back);
        block[20] ^= 1;
        Assert.False(DiskSlotLayout.TryParseSlot(block, out _));

        var header = new DiskSlotHeader(77, 16, 512, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        DiskSlotLayout.WriteHeader(block, header);
        Assert.True(DiskSlotLayout.TryParseHeader(block, out var h, out _));
        Assert.Equal(header, h);
        block[12] ^= 0x80;
        Assert.False(DiskSlotLayout.TryParseHeader(block, out _, out string? error));
        Assert.Contains("CRC", error);
        Assert.False(DiskSlotLayout.TryParseHeader(new byte[512], out _, out error));
        Assert.Contains("magic", error);
    }
}

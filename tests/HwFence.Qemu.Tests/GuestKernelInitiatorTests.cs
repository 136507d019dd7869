using System.Diagnostics;
using Xunit.Abstractions;

namespace HwFence.Qemu.Tests;

/// <summary>
/// Issue 8, test 3 (route A): the Linux kernel's own iSCSI initiator — open-iscsi's iscsid and iscsiadm in the
/// guest, iscsi_tcp in its kernel, the kernel's default negotiation — against our emulator. Each guest's eth0
/// reaches only the target, as <see cref="QemuGuest.TargetPortal"/>, through <see cref="TwoGuestClusterFixture.KernelPath"/>
/// (a TCP proxy in this process the tests can cut). Route B (QEMU's initiator, /dev/sda) stays attached beside it,
/// so the same logical unit is seen through two different initiators. Every test logs out again.
/// </summary>
[Collection(TwoGuestCollection.Name)]
public sealed class GuestKernelInitiatorTests(TwoGuestClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);

    /// <summary>The sd and sg names of the disk the kernel initiator attached (sysfs path through an iSCSI session), or empty.</summary>
    private const string KernelDisk =
        "for b in /sys/block/sd*; do case $(readlink -f $b) in *session*) printf '%s ' $(basename $b);; esac; done; " +
        "for g in /sys/class/scsi_generic/sg*; do case $(readlink -f $g) in *session*) printf '%s' $(basename $g);; esac; done";

    private string Node => $"-m node -T {cluster.TargetIqn} -p {QemuGuest.TargetPortal}";

    private async Task<(string Sd, string Sg)> LoginAsync(QemuGuest guest)
    {
        var discovery = await guest.RunAsync($"modprobe crc32c_generic 2>/dev/null; iscsiadm -m discovery -t st -p {QemuGuest.TargetPortal} 2>&1", Slow);
        Assert.True(discovery.ExitCode == 0, discovery.ToString());
        // SendTargets advertises the portal the guest dialled (IscsiTargetOptions.AdvertisedPortal), not the host's 127.0.0.1.
        Assert.Contains($"{QemuGuest.TargetPortal},1 {cluster.TargetIqn}", discovery.Output, StringComparison.Ordinal);

        var login = await guest.RunAsync($"iscsiadm {Node} --login 2>&1", Slow);
        Assert.True(login.ExitCode == 0 && login.Output.Contains("successful", StringComparison.Ordinal), login.ToString());
        var disk = await WaitForDiskAsync(guest);
        output.WriteLine($"{guest.Name}: discovery {discovery.Elapsed.TotalMilliseconds:0} ms, login {login.Elapsed.TotalMilliseconds:0} ms (agent round trip included), disk {disk.Sd}/{disk.Sg}");
        return disk;
    }

    private static async Task<(string Sd, string Sg)> WaitForDiskAsync(QemuGuest guest)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var names = await guest.RunAsync(KernelDisk);
            var parts = names.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                return (parts[0], parts[1]);
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"no SCSI disk appeared on the iSCSI session: {names}\n{(await guest.RunAsync("dmesg | tail -20")).Output}");
            await Task.Delay(250);
        }
    }

    /// <summary>Logs <paramref name="guest"/> in, runs <paramref name="body"/> with the disk's sd and sg names, and always logs out.</summary>
    private async Task InKernelSessionAsync(QemuGuest guest, Func<string, string, Task> body)
    {
        try
        {
            var (sd, sg) = await LoginAsync(guest);
            await body(sd, sg);
        }
        finally
        {
            await LogoutAsync(guest);
        }
    }

    private async Task LogoutAsync(QemuGuest guest) =>
        await guest.RunAsync($"iscsiadm {Node} --logout >/dev/null 2>&1; iscsiadm {Node} -o delete >/dev/null 2>&1", Slow);

    private Task<GuestResult> Hwfence(QemuGuest guest, string args) => guest.RunAsync($"{cluster.Hwfence} {args}", Slow);

    [RequiresQemuFact]
    public async Task Login_io_across_both_initiators_logout_and_login_again()
    {
        var node1 = cluster.Node1;
        await InKernelSessionAsync(node1, async (sd, sg) =>
        {
            // The emulator saw a normal session from open-iscsi (its ISIDs start 0x00023d), with the kernel's negotiation.
            Assert.Contains(cluster.EmulatorLog.Lines, l => l.Contains("iSCSI login: iqn.2026-01.org.hwfence:node1,i,0x00023d", StringComparison.Ordinal));

            // 1 MiB written O_DIRECT by the kernel initiator (sd over iscsi_tcp) is read back identically by it and,
            // through the other initiator (QEMU's, route B), by node2.
            const string Region = "bs=65536 count=16 skip=512";
            var write = await node1.RunAsync($"head -c 1048576 /dev/urandom > /tmp/a.bin && dd if=/tmp/a.bin of=/dev/{sd} bs=65536 seek=512 oflag=direct 2>&1 && md5sum < /tmp/a.bin", Slow);
            Assert.True(write.ExitCode == 0, write.ToString());
            string md5 = write.Output.Split('\n')[^1].Trim();
            var readBack = await node1.RunAsync($"dd if=/dev/{sd} {Region} iflag=direct 2>/dev/null | md5sum", Slow);
            var otherRoute = await cluster.Node2.RunAsync($"dd if=/dev/sda {Region} iflag=direct 2>/dev/null | md5sum", Slow);
            Assert.Equal(md5, readBack.Output.Trim());
            Assert.Equal(md5, otherRoute.Output.Trim());

            // Our SG_IO transport and sg3_utils over the kernel initiator.
            var tur = await Hwfence(node1, $"scsi tur sg:/dev/{sg}");
            Assert.True(tur.ExitCode == 0, tur.ToString());
            var turs = await node1.RunAsync($"time sg_turs -n 100 /dev/{sg} 2>&1");
            Assert.True(turs.ExitCode == 0, turs.ToString());
            output.WriteLine($"sg_turs -n 100 through the kernel initiator: {turs.Output.Replace('\n', ' ')}");

            // Logout: the disk goes away, and our transport says so (exit 35, naming the node).
            var logout = await node1.RunAsync($"iscsiadm {Node} --logout 2>&1", Slow);
            Assert.True(logout.ExitCode == 0, logout.ToString());
            Assert.Equal("", (await node1.RunAsync(KernelDisk)).Output.Trim());
            var gone = await Hwfence(node1, $"scsi tur sg:/dev/{sg}");
            Assert.True(gone.ExitCode == 35, gone.ToString());
            Assert.Contains($"/dev/{sg}", gone.Output, StringComparison.Ordinal);

            // Log in again: a new session, the same data.
            var again = await node1.RunAsync($"iscsiadm {Node} --login 2>&1", Slow);
            Assert.True(again.ExitCode == 0, again.ToString());
            var (sd2, _) = await WaitForDiskAsync(node1);
            Assert.Equal(md5, (await node1.RunAsync($"dd if=/dev/{sd2} {Region} iflag=direct 2>/dev/null | md5sum", Slow)).Output.Trim());
        });
    }

    [RequiresQemuFact]
    public async Task A_dropped_connection_is_recovered_by_the_kernel_and_io_goes_on()
    {
        var node1 = cluster.Node1;
        await InKernelSessionAsync(node1, async (sd, _) =>
        {
            int logins = cluster.EmulatorLog.Lines.Count(l => l.Contains("iSCSI login: iqn.2026-01.org.hwfence:node1,i,0x00023d", StringComparison.Ordinal));

            cluster.KernelPath.CutAll(); // a real TCP loss between the guest kernel and the target

            // The next I/O waits for the kernel's session recovery (iscsid logs in again with the same ISID) and completes.
            var io = await node1.RunAsync($"dd if=/dev/urandom of=/dev/{sd} bs=4096 count=16 seek=4096 oflag=direct 2>&1 && dd if=/dev/{sd} bs=4096 count=1 skip=4096 iflag=direct 2>/dev/null | wc -c", Slow);
            Assert.True(io.ExitCode == 0, io.ToString());
            Assert.Equal("4096", io.Output.Split('\n')[^1].Trim());

            var dmesg = await node1.RunAsync("dmesg | grep -E 'conn error|recovery' | tail -5");
            Assert.Contains("detected conn error", dmesg.Output, StringComparison.Ordinal);
            Assert.True(
                cluster.EmulatorLog.Lines.Count(l => l.Contains("iSCSI login: iqn.2026-01.org.hwfence:node1,i,0x00023d", StringComparison.Ordinal)) > logins,
                "the kernel did not log in again after the connection was cut:\n" + string.Join("\n", cluster.EmulatorLog.Lines.TakeLast(10)));
        });
    }

    [RequiresQemuFact]
    public async Task Logical_unit_reset_from_the_guest_kernel_breaks_a_reserve_held_through_the_other_initiator()
    {
        var node1 = cluster.Node1;
        try
        {
            await InKernelSessionAsync(node1, async (_, sg) =>
            {
                foreach (string reset in new[] { $"sg_reset -d /dev/{sg}", $"{cluster.Hwfence} scsi reset sg:/dev/{sg}" })
                {
                    // node2 holds RESERVE(6) through QEMU's initiator; node1's kernel session conflicts.
                    var reserve = await Hwfence(cluster.Node2, "scsi reserve sg:/dev/sg0");
                    Assert.True(reserve.ExitCode == 0, reserve.ToString());
                    var blocked = await node1.RunAsync($"sg_turs /dev/{sg}");
                    Assert.True(blocked.ExitCode == 24, blocked.ToString());

                    // The reset goes through iscsi_tcp as a LOGICAL UNIT RESET task management request (unlike route B,
                    // where QEMU answers it itself): the emulator releases the reservation.
                    int LuResets() => cluster.EmulatorLog.Lines.Count(l => l.Contains("iqn.2026-01.org.hwfence:node1", StringComparison.Ordinal) && l.Contains("LOGICAL UNIT RESET", StringComparison.Ordinal));
                    int before = LuResets();
                    var r = await node1.RunAsync(reset + " 2>&1", Slow);
                    Assert.True(r.ExitCode == 0, r.ToString());
                    Assert.True(LuResets() > before, "the emulator logged no LOGICAL UNIT RESET from node1\n" + string.Join("\n", cluster.EmulatorLog.Lines.TakeLast(8)));
                    var free = await node1.RunAsync($"sg_turs /dev/{sg} || sg_turs /dev/{sg}");
                    Assert.True(free.ExitCode == 0, free.ToString());

                    // The former holder is told: UNIT ATTENTION 29h (POWER ON, RESET, OR BUS DEVICE RESET OCCURRED).
                    var holder = await cluster.Node2.RunAsync("sg_turs /dev/sg0; sg_turs /dev/sg0");
                    Assert.True(holder.ExitCode == 0, holder.ToString());
                    Assert.Contains("reset", holder.Output, StringComparison.OrdinalIgnoreCase);
                    await Hwfence(cluster.Node2, "scsi release sg:/dev/sg0");
                }
            });
        }
        finally
        {
            await Hwfence(cluster.Node2, "scsi release sg:/dev/sg0");
            // The resets raised UNIT ATTENTION 29h on node1's route-B nexus too: consume it for the next test.
            await node1.RunAsync("sg_turs /dev/sg0; sg_turs /dev/sg0");
        }
    }
}

using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace HwFence.Qemu.Tests;

/// <summary>
/// Issue 8, test 4: fence_scsi from Debian's fence-agents (4.12.1, a Pacemaker fence agent we did not write) and
/// <c>hwfence fence-agent</c>, each run inside a guest as stonithd runs it, fence a node whose key was registered
/// through the other guest — fence_scsi node2 → node1, hwfence node1 → node2, and across agents both ways — against
/// the emulator. The effect is judged on the disk, never from the agents' own output alone: the fenced guest's
/// kernel WRITE fails, and <c>sg_persist</c> READ KEYS / READ RESERVATION from the other guest show the key gone
/// and a Write Exclusive – Registrants Only reservation held by the fencer.
/// </summary>
/// <remarks>
/// Keys are written as fence_scsi writes them: hexadecimal without <c>0x</c> (fence_scsi compares them, as text,
/// with what <c>sg_persist -n -i -k</c> prints after its <c>0x</c>; a key given to fence_scsi as <c>0x…</c> is
/// registered but fence_scsi's own check then reports failure). <c>hwfence fence-agent</c> reads both spellings.
/// Every test starts and ends with the disk cleared (no registrations, no reservation, unit attentions consumed,
/// /run/cluster key files removed) so the other classes sharing the two guests find it clean.
/// </remarks>
[Collection(TwoGuestCollection.Name)]
public sealed class GuestFenceAgentTests(TwoGuestClusterFixture cluster, ITestOutputHelper output)
{
    private const string Disk = "/dev/sda";
    private const string Write = "dd if=/dev/zero of=/dev/sda bs=4096 count=1 seek=400 oflag=direct";
    private const string WeRo = "Write Exclusive, registrants only";

    /// <summary>Consumes pending UNIT ATTENTIONs first (as fence_scsi's reset_dev does), so the PR IN answers.</summary>
    private const string Settle = "sg_turs /dev/sda >/dev/null 2>&1; sg_turs /dev/sda >/dev/null 2>&1; ";

    private string HwfenceAgent => cluster.Hwfence + " fence-agent";

    /// <summary>An agent fed name=value lines on stdin, the way stonithd (pacemaker-fenced) runs fence agents.</summary>
    private static string Stdin(string agent, params string[] options) => $"printf '%s\\n' {string.Join(' ', options)} | {agent}";

    /// <summary>The stdin lines stonithd sends for a target (port = pcmk_host_argument's default, nodename, nodeid) plus the device's own.</summary>
    private static string[] Stonithd(string action, string node, string key, string devices) =>
        [$"action={action}", $"port={node}", $"nodename={node}", $"nodeid={node[^1]}", $"key={key}", $"devices={devices}"];

    private static Task<GuestResult> Ok(QemuGuest guest, string command) => GuestSgUtilsReservationTests.Ok(guest, command);

    private static async Task<GuestResult> Exit(QemuGuest guest, string command, int expected)
    {
        var r = await guest.RunAsync(command);
        Assert.True(r.ExitCode == expected, $"{guest.Name}: expected exit {expected}: {r}");
        return r;
    }

    /// <summary>READ KEYS through <paramref name="observer"/>'s kernel (sg_persist, not the agents).</summary>
    private static async Task<SortedSet<string>> RegisteredKeys(QemuGuest observer)
    {
        var r = await Ok(observer, Settle + "sg_persist -n -i -k -d " + Disk);
        return new SortedSet<string>(Regex.Matches(r.Output, @"^\s+0x([0-9a-f]+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
    }

    /// <summary>READ RESERVATION through <paramref name="observer"/>'s kernel: the holder's key and the type, or nulls.</summary>
    private static async Task<(string? Key, string? Type)> Reservation(QemuGuest observer)
    {
        var r = await Ok(observer, Settle + "sg_persist -n -i -r -d " + Disk);
        var key = Regex.Match(r.Output, @"Key=0x([0-9a-f]+)");
        var type = Regex.Match(r.Output, @"type: (.+?)\s*$", RegexOptions.Multiline);
        return (key.Success ? key.Groups[1].Value : null, type.Success ? type.Groups[1].Value : null);
    }

    private static async Task AssertDisk(QemuGuest observer, string[] keys, string holder)
    {
        Assert.Equal(new SortedSet<string>(keys), await RegisteredKeys(observer));
        Assert.Equal((holder, WeRo), await Reservation(observer));
    }

    private static async Task WriteFails(QemuGuest fenced)
    {
        var r = await fenced.RunAsync(Write);
        Assert.True(r.ExitCode != 0, $"{fenced.Name} is fenced but its kernel WRITE went through: {r}");
        var dmesg = await fenced.RunAsync("dmesg | tail -20");
        Assert.Contains("reservation conflict", dmesg.Output, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Leaves the disk as the other classes expect it: any registrant may CLEAR (SPC-4 §5.13.10), so register a scratch key and clear.</summary>
    private async Task ClearDisk()
    {
        await cluster.Node2.RunAsync(Settle + "sg_persist -n -o -I -S 0xc1ea2 -d /dev/sda; sg_persist -n -o -C -K 0xc1ea2 -d /dev/sda");
        foreach (var guest in new[] { cluster.Node1, cluster.Node2 })
        {
            await guest.RunAsync(Settle + "rm -rf /run/cluster; dmesg -c >/dev/null");
        }
    }

    /// <summary>Runs a scenario between a cleared disk and a cleared disk, also when it fails.</summary>
    private async Task OnACleanDisk(Func<QemuGuest, QemuGuest, Task> scenario)
    {
        await ClearDisk();
        try
        {
            await scenario(cluster.Node1, cluster.Node2);
        }
        finally
        {
            await ClearDisk();
        }
    }

    private void Timing(string what, GuestResult r) =>
        output.WriteLine($"{what}: {r.Elapsed.TotalSeconds:0.00} s in the guest (agent round trip included)");

    [RequiresFenceScsiFact]
    public async Task Fence_scsi_in_node2_fences_node1_whose_key_fence_scsi_registered()
    {
        const string key1 = "fa0a0001", key2 = "fa0a0002";
        await OnACleanDisk(async (node1, node2) =>
        {
            // fence_scsi takes keys as bare hex: it strips leading '0's, so "0x…" reaches sg_persist as "x…" and nothing is registered.
            await Exit(node1, $"fence_scsi -o on -n node1 -k 0x{key1} -d {Disk}", 1);
            Assert.Empty(await RegisteredKeys(node2));

            // Unfencing (on, on_target): flags on node1, stonithd's stdin lines on node2.
            Timing("fence_scsi on", await Ok(node1, $"fence_scsi -o on -n node1 -k {key1} -d {Disk}"));
            await Ok(node2, Stdin("fence_scsi", Stonithd("on", "node2", key2, Disk)));
            await AssertDisk(node2, [key1, key2], holder: key1);
            await Ok(node1, Write);
            await Ok(node2, Write);
            Assert.Contains("Status: ON", (await Exit(node2, $"fence_scsi -o status -k {key1} -d {Disk}", 0)).Output, StringComparison.Ordinal);

            var off = await Ok(node2, Stdin("fence_scsi", Stonithd("off", "node1", key1, Disk)));
            Timing("fence_scsi off", off);
            Timing("fence_scsi metadata (start-up, no device I/O)", await Ok(node2, "fence_scsi -o metadata >/dev/null"));

            await WriteFails(node1);
            await AssertDisk(node2, [key2], holder: key2);
            await Ok(node2, Write);
            Assert.Contains("Status: OFF", (await Exit(node2, $"fence_scsi -o status -k {key1} -d {Disk}", 2)).Output, StringComparison.Ordinal);
            await Exit(node2, $"fence_scsi -o status -k {key2} -d {Disk}", 0);

            // The fenced node cannot fence back: its PREEMPT AND ABORT is refused, node2's key stays.
            await Exit(node1, Stdin("fence_scsi", Stonithd("off", "node2", key2, Disk)), 1);
            await AssertDisk(node2, [key2], holder: key2);
        });
    }

    [RequiresFenceScsiFact]
    public async Task Hwfence_fence_agent_in_node1_fences_node2_whose_key_hwfence_registered()
    {
        const string key1 = "fb0b0001", key2 = "fb0b0002";
        await OnACleanDisk(async (node1, node2) =>
        {
            // Unfencing: stonithd's stdin lines on node1 (block device), fence_scsi-style flags on node2 (sg node).
            Timing("hwfence fence-agent on", await Ok(node1, Stdin(HwfenceAgent, Stonithd("on", "node1", "0x" + key1, Disk))));
            await Ok(node2, $"{HwfenceAgent} -o on -n node2 -k {key2} -d sg:/dev/sg0");
            await AssertDisk(node1, [key1, key2], holder: key1);
            await Ok(node1, Write);
            await Ok(node2, Write);
            await Exit(node1, Stdin(HwfenceAgent, "action=status", $"key={key2}", $"devices={Disk}"), 0);

            var off = await Ok(node1, Stdin(HwfenceAgent, Stonithd("off", "node2", key2, Disk)));
            Timing("hwfence fence-agent off", off);
            Timing("hwfence fence-agent metadata (start-up, no device I/O)", await Ok(node1, HwfenceAgent + " -o metadata >/dev/null"));

            await WriteFails(node2);
            await AssertDisk(node1, [key1], holder: key1);
            await Ok(node1, Write);
            await Exit(node1, Stdin(HwfenceAgent, "action=status", $"key={key2}", $"devices={Disk}"), 2);
            await Exit(node2, $"{HwfenceAgent} -o status -k {key2} -d sg:/dev/sg0", 2);
            await Exit(node1, $"{HwfenceAgent} -o status -k {key1} -d {Disk}", 0);

            // The fenced node cannot fence back: it finds its own key gone and refuses.
            await Exit(node2, Stdin(HwfenceAgent, Stonithd("off", "node1", key1, "sg:/dev/sg0")), 1);
            await AssertDisk(node1, [key1], holder: key1);
        });
    }

    [RequiresFenceScsiFact]
    public async Task Each_agent_fences_a_key_the_other_agent_registered()
    {
        await OnACleanDisk(async (node1, node2) =>
        {
            // fence_scsi registers (and reserves) on node1, hwfence registers on node2; hwfence fences node1.
            const string c1 = "fc0c0001", c2 = "fc0c0002";
            await Ok(node1, Stdin("fence_scsi", Stonithd("on", "node1", c1, Disk)));
            await Ok(node2, Stdin(HwfenceAgent, Stonithd("on", "node2", c2, Disk)));
            await AssertDisk(node2, [c1, c2], holder: c1);
            await Ok(node2, Stdin(HwfenceAgent, Stonithd("off", "node1", c1, Disk)));
            await WriteFails(node1);
            await AssertDisk(node2, [c2], holder: c2);
            await Ok(node2, Write);
            // fence_scsi reads the state hwfence left exactly as its own.
            await Exit(node2, $"fence_scsi -o status -k {c1} -d {Disk}", 2);
            await Exit(node2, $"fence_scsi -o status -k {c2} -d {Disk}", 0);
            await ClearDisk();

            // Vice versa: hwfence registers first (its reservation), fence_scsi joins it and fences node2.
            const string d1 = "fd0d0001", d2 = "fd0d0002";
            await Ok(node2, Stdin(HwfenceAgent, Stonithd("on", "node2", d2, Disk)));
            await Ok(node1, Stdin("fence_scsi", Stonithd("on", "node1", d1, Disk)));
            await AssertDisk(node1, [d1, d2], holder: d2);
            await Ok(node1, Stdin("fence_scsi", Stonithd("off", "node2", d2, Disk)));
            await WriteFails(node2);
            await AssertDisk(node1, [d1], holder: d1);
            await Ok(node1, Write);
            await Exit(node1, Stdin(HwfenceAgent, "action=status", $"key={d2}", $"devices={Disk}"), 2);
            await Exit(node1, Stdin(HwfenceAgent, "action=status", $"key={d1}", $"devices={Disk}"), 0);
        });
    }

    /// <summary>corosync.conf for both guests: node1 (nodeid 1) first, node2 (nodeid 2) second; only node1 runs corosync.</summary>
    private const string CorosyncConf = """
        totem {
            version: 2
            cluster_name: hacluster
            transport: knet
            crypto_cipher: none
            crypto_hash: none
        }
        nodelist {
            node {
                ring0_addr: 127.0.0.1
                name: node1
                nodeid: 1
            }
            node {
                ring0_addr: 10.99.0.2
                name: node2
                nodeid: 2
            }
        }
        quorum {
            provider: corosync_votequorum
            two_node: 1
        }
        logging {
            to_stderr: no
            to_syslog: no
            to_logfile: yes
            logfile: /tmp/corosync/corosync.log
        }
        system {
            state_dir: /tmp/corosync
        }
        """;

    private static string WriteCorosyncConf() =>
        $"mkdir -p /tmp/corosync && echo {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CorosyncConf))} | base64 -d > /tmp/corosync/corosync.conf";

    /// <summary>
    /// No key given: each agent derives it from the cluster name and the node. fence_scsi asks a real corosync
    /// (corosync-cmapctl, corosync 3.1.7 running in node1); hwfence reads the same corosync.conf with its default key_value (id).
    /// Both must land on the same keys — md5("hacluster") = fb0c…, and fence_scsi's "id" is the nodelist
    /// position, so node1 → fb0c0000, node2 → fb0c0001 — and each must fence the node the other unfenced.
    /// </summary>
    [RequiresFenceScsiFact(NeedsCorosync = true)]
    public async Task Derived_keys_agree_with_fence_scsi_under_a_real_corosync()
    {
        string hwfenceId(string action, string node, string devices) => Stdin(HwfenceAgent,
            $"action={action}", $"port={node}", $"nodename={node}", "corosync_conf=/tmp/corosync/corosync.conf", $"devices={devices}");
        string fenceScsi(string action, string node) => Stdin("fence_scsi", $"action={action}", $"port={node}", $"nodename={node}", $"devices={Disk}");
        await OnACleanDisk(async (node1, node2) =>
        {
            try
            {
                await Ok(node1, WriteCorosyncConf() + " && (mountpoint -q /dev/shm || (mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm)) && corosync -c /tmp/corosync/corosync.conf"
                    + " && for i in $(seq 50); do corosync-cmapctl totem.cluster_name 2>/dev/null && exit 0; sleep 0.2; done; cat /tmp/corosync/corosync.log; exit 1");
                await Ok(node2, WriteCorosyncConf());
                var cmap = await Ok(node1, "corosync-cmapctl nodelist");
                Assert.Contains("nodelist.node.0.name (str) = node1", cmap.Output, StringComparison.Ordinal);

                // fence_scsi unfences node1, hwfence (default key_value, id) node2; hwfence fences node1 by name.
                await Ok(node1, fenceScsi("on", "node1"));
                await Ok(node2, hwfenceId("on", "node2", Disk));
                await AssertDisk(node2, ["fb0c0000", "fb0c0001"], holder: "fb0c0000");
                var list = await Ok(node2, Stdin(HwfenceAgent, "action=list", "key_value=id", "corosync_conf=/tmp/corosync/corosync.conf", $"devices={Disk}"));
                Assert.Contains("node1,0xfb0c0000", list.Output, StringComparison.Ordinal);
                Assert.Contains("node2,0xfb0c0001", list.Output, StringComparison.Ordinal);
                await Ok(node2, hwfenceId("off", "node1", Disk));
                await WriteFails(node1);
                await AssertDisk(node2, ["fb0c0001"], holder: "fb0c0001");
                await ClearDisk();

                // Vice versa: hwfence unfences node2, fence_scsi node1 and fences node2 by name.
                await Ok(node2, hwfenceId("on", "node2", "sg:/dev/sg0"));
                await Ok(node1, fenceScsi("on", "node1"));
                await Ok(node1, fenceScsi("off", "node2"));
                await WriteFails(node2);
                await AssertDisk(node1, ["fb0c0000"], holder: "fb0c0000");
                await Exit(node1, hwfenceId("status", "node2", Disk), 2);
                await ClearDisk();

                // key_value=hash: md5 of the node name instead of the position; the agents agree on it too.
                await Ok(node1, Stdin("fence_scsi", "action=on", "nodename=node1", "key_value=hash", $"devices={Disk}"));
                await Exit(node2, Stdin(HwfenceAgent, "action=status", "nodename=node1", "key_value=hash", "cluster_name=hacluster", $"devices={Disk}"), 0);
                Assert.Equal(new SortedSet<string> { "fb0c1645" }, await RegisteredKeys(node2)); // md5("node1") = 1645…
            }
            finally
            {
                await node1.RunAsync("[ -f /run/corosync.pid ] && kill $(cat /run/corosync.pid); rm -rf /tmp/corosync");
                await node2.RunAsync("rm -rf /tmp/corosync");
            }
        });
    }
}

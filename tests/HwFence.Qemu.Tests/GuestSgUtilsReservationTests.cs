namespace HwFence.Qemu.Tests;

/// <summary>
/// Issue 8, tests 2 and 3: sg3_utils (a client we did not write) and the guest kernel's block layer against
/// the emulator: every PR action and its effect on the other guest; I/O with data verification.
/// </summary>
[Collection(TwoGuestCollection.Name)]
public sealed class GuestSgUtilsReservationTests(TwoGuestClusterFixture cluster)
{
    private const string ReadBlock = "dd if=/dev/sda of=/dev/null bs=4096 count=1 skip=200 iflag=direct";
    private const string WriteBlock = "dd if=/dev/zero of=/dev/sda bs=4096 count=1 seek=200 oflag=direct";

    internal static async Task<GuestResult> Ok(QemuGuest guest, string command)
    {
        var r = await guest.RunAsync(command);
        Assert.True(r.ExitCode == 0, $"{guest.Name}: {r}");
        return r;
    }

    /// <summary>
    /// The first command of an I_T nexus whose registration/reservation another node changed must report the
    /// UNIT ATTENTION the target established for it (SPC-4 §5.14.11.2.4 ff.), naming <paramref name="additionalSense"/>;
    /// the retry then succeeds.
    /// </summary>
    internal static async Task<GuestResult> OkAfterUnitAttention(QemuGuest guest, string command, string additionalSense)
    {
        var first = await guest.RunAsync(command);
        Assert.True(first.ExitCode == 6, $"{guest.Name}: expected UNIT ATTENTION ({additionalSense}) first: {first}");
        Assert.Contains(additionalSense, first.Output, StringComparison.OrdinalIgnoreCase);
        return await Ok(guest, command);
    }

    private static async Task Fails(QemuGuest guest, string command)
    {
        var r = await guest.RunAsync(command);
        Assert.True(r.ExitCode != 0, $"{guest.Name} should have failed: {r}");
    }

    [RequiresQemuFact]
    public async Task Sg_persist_every_action_and_its_effect_on_the_other_guest()
    {
        QemuGuest a = cluster.Node1, b = cluster.Node2;
        try
        {
            await Ok(a, "sg_persist --out --register --param-sark=0xaa /dev/sg0");
            await Ok(b, "sg_persist --out --register-ignore --param-sark=0xbb /dev/sg0");
            var keys = await Ok(b, "sg_persist --in --read-keys /dev/sg0");
            Assert.Contains("0xaa", keys.Output, StringComparison.Ordinal);
            Assert.Contains("0xbb", keys.Output, StringComparison.Ordinal);

            // Exclusive Access (type 3) by a: b can neither read nor write; a can do both.
            await Ok(a, "sg_persist --out --reserve --param-rk=0xaa --prout-type=3 /dev/sg0");
            var res = await Ok(b, "sg_persist --in --read-reservation /dev/sg0");
            Assert.Contains("0xaa", res.Output, StringComparison.Ordinal);
            Assert.Contains("Exclusive Access", res.Output, StringComparison.Ordinal);
            await Ok(a, ReadBlock);
            await Ok(a, WriteBlock);
            await Fails(b, ReadBlock);
            await Fails(b, WriteBlock);
            // A reservation conflict on a wrong key: b cannot release a's reservation, nor reserve over it.
            await Fails(b, "sg_persist --out --reserve --param-rk=0xbb --prout-type=3 /dev/sg0");

            // RELEASE by the holder: b may read and write again.
            await Ok(a, "sg_persist --out --release --param-rk=0xaa --prout-type=3 /dev/sg0");
            await Ok(b, ReadBlock);
            await Ok(b, WriteBlock);

            // Write Exclusive, Registrants Only (type 5) by b: every registrant (a too) may write.
            await Ok(b, "sg_persist --out --reserve --param-rk=0xbb --prout-type=5 /dev/sg0");
            await Ok(a, WriteBlock);

            // PREEMPT: b removes a's key; a, no longer registered, cannot write.
            await Ok(b, "sg_persist --out --preempt --param-rk=0xbb --param-sark=0xaa --prout-type=5 /dev/sg0");
            keys = await OkAfterUnitAttention(a, "sg_persist --in --read-keys /dev/sg0", "Registrations preempted");
            Assert.DoesNotContain("0xaa", keys.Output, StringComparison.Ordinal);
            await Fails(a, WriteBlock);
            await Ok(a, ReadBlock);

            // a registers again, then a bad key is rejected (RESERVATION CONFLICT, sg_persist exit 24).
            await Ok(a, "sg_persist --out --register --param-sark=0xac /dev/sg0");
            var bad = await a.RunAsync("sg_persist --out --register --param-rk=0x99 --param-sark=0xad /dev/sg0");
            Assert.True(bad.ExitCode == 24, bad.ToString());

            // CLEAR by any registrant: no keys, no reservation; everybody writes.
            await Ok(a, "sg_persist --out --clear --param-rk=0xac /dev/sg0");
            keys = await OkAfterUnitAttention(b, "sg_persist --in --read-keys /dev/sg0", "preempted");
            Assert.Contains("there are NO registered reservation keys", keys.Output, StringComparison.Ordinal);
            await Ok(a, WriteBlock);
            await Ok(b, WriteBlock);
        }
        finally
        {
            await b.RunAsync("sg_persist --out --register-ignore --param-sark=0xbb /dev/sg0; sg_persist --out --clear --param-rk=0xbb /dev/sg0");
        }
    }

    [RequiresQemuFact]
    public async Task Kernel_block_io_round_trips_and_the_other_guest_sees_the_data()
    {
        // 1 MiB of random data written by node1 through its sd driver (O_DIRECT), read back by node2 through its own.
        await Ok(cluster.Node1, "dd if=/dev/urandom of=/tmp/a bs=64k count=16 2>/dev/null && dd if=/tmp/a of=/dev/sda bs=64k seek=64 oflag=direct && md5sum < /tmp/a > /tmp/a.md5");
        var sum1 = await Ok(cluster.Node1, "cat /tmp/a.md5");
        var sum2 = await Ok(cluster.Node2, "dd if=/dev/sda bs=64k skip=64 count=16 iflag=direct 2>/dev/null | md5sum");
        Assert.Equal(sum1.Output.Trim(), sum2.Output.Trim());
    }
}

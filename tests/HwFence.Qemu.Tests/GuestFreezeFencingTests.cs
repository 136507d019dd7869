namespace HwFence.Qemu.Tests;

/// <summary>
/// A frozen primary (QEMU monitor stop) is fenced by the other guest with PREEMPT AND ABORT while frozen;
/// when it resumes, as if no time had passed, the disk rejects its writes (the disk is the arbiter).
/// </summary>
[Collection(TwoGuestCollection.Name)]
public sealed class GuestFreezeFencingTests(TwoGuestClusterFixture cluster)
{
    private const string Write = "dd if=/dev/zero of=/dev/sda bs=4096 count=1 seek=300 oflag=direct";

    [RequiresQemuFact]
    public async Task A_frozen_primary_fenced_while_frozen_cannot_write_after_it_resumes()
    {
        QemuGuest primary = cluster.Node1, backup = cluster.Node2;
        try
        {
            Assert.Equal(0, (await primary.RunAsync("sg_persist --out --register --param-sark=0x31 /dev/sg0")).ExitCode);
            Assert.Equal(0, (await primary.RunAsync("sg_persist --out --reserve --param-rk=0x31 --prout-type=1 /dev/sg0")).ExitCode);
            var before = await primary.RunAsync(Write);
            Assert.True(before.ExitCode == 0, before.ToString());

            await primary.FreezeAsync();
            try
            {
                Assert.Contains("paused", await primary.MonitorAsync("info status"), StringComparison.Ordinal);
                Assert.Equal(0, (await backup.RunAsync("sg_persist --out --register --param-sark=0x32 /dev/sg0")).ExitCode);
                var fence = await backup.RunAsync("sg_persist --out --preempt-abort --param-rk=0x32 --param-sark=0x31 --prout-type=1 /dev/sg0");
                Assert.True(fence.ExitCode == 0, fence.ToString());
            }
            finally
            {
                await primary.ResumeAsync();
            }

            Assert.Contains("running", await primary.MonitorAsync("info status"), StringComparison.Ordinal);
            var after = await primary.RunAsync(Write);
            Assert.True(after.ExitCode != 0, "the resumed, fenced primary could still write: " + after);
            var backupWrite = await backup.RunAsync(Write);
            Assert.True(backupWrite.ExitCode == 0, backupWrite.ToString());
        }
        finally
        {
            await backup.RunAsync("sg_persist --out --register-ignore --param-sark=0x32 /dev/sg0; sg_persist --out --clear --param-rk=0x32 /dev/sg0");
        }
    }
}

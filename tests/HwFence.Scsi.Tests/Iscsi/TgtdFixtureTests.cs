using System.Net.Sockets;
using HwFence.Testing;

namespace HwFence.Scsi.Tests.Iscsi;

/// <summary>The tgtd fixture itself: it listens, manages targets, and leaves nothing behind.</summary>
public sealed class TgtdFixtureTests
{
    [RequiresTgtdFact]
    public void Starts_listens_creates_targets_and_stops_cleanly()
    {
        int pid;
        string backing;
        using (var tgtd = new TgtdFixture())
        {
            Assert.Null(tgtd.SkipReason);
            Assert.StartsWith($"iscsi://127.0.0.1:{tgtd.Port}/iqn.", tgtd.Address, StringComparison.Ordinal);
            Assert.EndsWith("/1", tgtd.Address, StringComparison.Ordinal);
            using (var c = new TcpClient())
            {
                c.Connect("127.0.0.1", tgtd.Port);
            }

            var second = tgtd.CreateTarget();
            Assert.Equal(2, second.Tid);
            string show = tgtd.Tgtadm("--lld", "iscsi", "--mode", "target", "--op", "show");
            Assert.Contains(tgtd.Iqn, show, StringComparison.Ordinal);
            Assert.Contains(second.Iqn, show, StringComparison.Ordinal);
            backing = tgtd.Default.BackingFile;
            Assert.True(File.Exists(backing));
            pid = FindTgtdPid(tgtd.ControlPort);
        }

        Assert.False(File.Exists(backing));
        Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z",
            $"tgtd pid {pid} still running after Dispose");
    }

    private static int FindTgtdPid(int controlPort)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains("tgtd", StringComparison.Ordinal) && cmd.Contains($"-C {controlPort} ", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
        }

        throw new InvalidOperationException("tgtd process not found");
    }
}

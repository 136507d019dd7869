using System.Diagnostics;
using HwFence.Hal.Processes;

namespace HwFence.Hal.Tests.Processes;

public class ProcessSignalsTests
{
    [Fact]
    public void StopContinueAndKillARealProcess()
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;
        try
        {
            Assert.True(ProcessSignals.Send(p.Id, PosixSignal.Stop));
            Assert.Equal('T', WaitForState(p.Id, 'T'));
            Assert.True(ProcessSignals.Send(p.Id, PosixSignal.Continue));
            Assert.NotEqual('T', WaitForState(p.Id, 'S'));
            Assert.True(ProcessSignals.Send(p.Id, PosixSignal.Kill));
            p.WaitForExit();
            Assert.Equal(128 + 9, p.ExitCode); // .NET reports death by signal N as 128 + N
            Assert.False(ProcessSignals.Send(p.Id, PosixSignal.Kill));
            Assert.False(ProcessSignals.Exists(p.Id));
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill();
            }
        }
    }

    /// <summary>Reads the process state letter from /proc/PID/stat until it is <paramref name="want"/> (bounded).</summary>
    private static char WaitForState(int pid, char want)
    {
        char state = '?';
        // Polls the kernel's view of the process (bounded at ~5 s): signal delivery is asynchronous.
        for (int i = 0; i < 1000; i++)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            state = stat[stat.LastIndexOf(')') + 2];
            if (state == want)
            {
                return state;
            }

            Thread.Sleep(5);
        }

        return state;
    }
}

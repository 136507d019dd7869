namespace HwFence.Cluster.Tests.Fakes;

/// <summary>
/// Waits for a side effect of something real (a child process writing a file, a UDP datagram
/// arriving). Protocol timing never uses this: that runs on the fake clock.
/// </summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, int timeoutSeconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}

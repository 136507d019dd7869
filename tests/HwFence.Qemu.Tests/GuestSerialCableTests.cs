namespace HwFence.Qemu.Tests;

/// <summary>
/// Issue 8, test 5 (transport part): bytes between two guests over emulated 16550 UARTs — each side's
/// kernel 8250 driver and termios (raw, 115200) — through a cable the test cuts and reconnects.
/// </summary>
[Collection(TwoGuestCollection.Name)]
public sealed class GuestSerialCableTests(TwoGuestClusterFixture cluster)
{
    private const string Setup = "stty -F /dev/ttyS1 115200 raw -echo -crtscts clocal";

    /// <summary>node2 listens (in the background) for 6 bytes, node1 sends <paramref name="word"/> + newline; returns what node2 got.</summary>
    private async Task<string> SendAcrossAsync(string word)
    {
        var listen = await cluster.Node2.RunAsync(
            // Drain first: bytes an earlier test's heartbeat left in the UART's receive buffer are not this test's.
            $"{Setup}; timeout 1 cat /dev/ttyS1 >/dev/null; rm -f /tmp/rx; (timeout 4 head -c 6 /dev/ttyS1 > /tmp/rx) </dev/null >/dev/null 2>&1 & sleep 0.5");
        Assert.True(listen.ExitCode == 0, listen.ToString());
        var send = await cluster.Node1.RunAsync($"{Setup}; printf '{word}\\n' > /dev/ttyS1");
        Assert.True(send.ExitCode == 0, send.ToString());
        var got = await cluster.Node2.RunAsync("for i in 1 2 3 4 5 6 7 8 9; do [ -s /tmp/rx ] && [ $(wc -c < /tmp/rx) -ge 6 ] && break; sleep 0.5; done; cat /tmp/rx");
        return got.Output.Trim();
    }

    [RequiresQemuFact]
    public async Task Bytes_cross_the_uart_cable_stop_when_it_is_cut_and_flow_again_when_reconnected()
    {
        Assert.Equal("PING1", await SendAcrossAsync("PING1"));

        cluster.Cable.Cut();
        try
        {
            Assert.Equal("", await SendAcrossAsync("PING2"));
        }
        finally
        {
            cluster.Cable.Restore();
        }

        Assert.Equal("PING3", await SendAcrossAsync("PING3"));
    }
}

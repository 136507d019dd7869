using System.Net.Sockets;

namespace HwFence.Qemu.Tests;

/// <summary>
/// A null-modem cable between two guests' /dev/ttyS1: connects to both QEMU chardev sockets and copies
/// bytes both ways. <see cref="Cut"/> drops everything on the wire (as a pulled cable: the UARTs stay
/// up, nothing arrives); <see cref="Restore"/> reconnects. Disposing stops both pumps and closes the sockets.
/// </summary>
public sealed class SerialCableRelay : IAsyncDisposable
{
    private readonly Socket _a;
    private readonly Socket _b;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _aToB;
    private readonly Task _bToA;
    private volatile bool _cut;

    private SerialCableRelay(Socket a, Socket b)
    {
        _a = a;
        _b = b;
        _aToB = PumpAsync(a, b, _stop.Token);
        _bToA = PumpAsync(b, a, _stop.Token);
    }

    public static async Task<SerialCableRelay> ConnectAsync(string pathA, string pathB)
    {
        var a = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var b = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await a.ConnectAsync(new UnixDomainSocketEndPoint(pathA));
            await b.ConnectAsync(new UnixDomainSocketEndPoint(pathB));
        }
        catch
        {
            a.Dispose();
            b.Dispose();
            throw;
        }

        return new SerialCableRelay(a, b);
    }

    /// <summary>Bytes carried across so far (both directions).</summary>
    public long BytesCarried => Interlocked.Read(ref _carried);

    private long _carried;

    public void Cut() => _cut = true;

    public void Restore() => _cut = false;

    private async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                {
                    return;
                }

                if (!_cut)
                {
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                    Interlocked.Add(ref _carried, n);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _a.Dispose();
        _b.Dispose();
        await Task.WhenAll(_aToB, _bToA);
        _stop.Dispose();
    }
}

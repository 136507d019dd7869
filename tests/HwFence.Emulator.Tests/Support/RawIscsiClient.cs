using System.Buffers;
using System.Net;
using System.Net.Sockets;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Emulator.Tests.Support;

/// <summary>
/// A deliberately minimal iSCSI initiator for hostile tests: logs in with chosen parameters, then
/// sends whatever bytes a test builds (valid, wrong or garbage) with the Scsi layer's PDU writer
/// and reads what the target answers, so the tests can see Rejects, silence and closed connections.
/// </summary>
internal sealed class RawIscsiClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _rx = new byte[1 << 20];
    private int _start;
    private int _end;

    private RawIscsiClient(Socket socket) => _socket = socket;

    public uint CmdSN { get; set; }

    public uint ExpStatSN { get; set; }

    public static async Task<RawIscsiClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawIscsiClient(socket);
    }

    /// <summary>Connects and logs in (one Login Request, operational stage straight to full feature).</summary>
    public static async Task<RawIscsiClient> LoginAsync(int port, string targetIqn, string initiatorName, ulong isid = 0x4000_0000_0001,
        bool immediateData = true, bool initialR2T = false, int firstBurst = 65536, int maxBurst = 262144)
    {
        var c = await ConnectAsync(port);
        var keys = new List<KeyValuePair<string, string>>
        {
            new(IscsiKeys.InitiatorName, initiatorName),
            new(IscsiKeys.TargetName, targetIqn),
            new(IscsiKeys.SessionType, "Normal"),
            new(IscsiKeys.HeaderDigest, "None"),
            new(IscsiKeys.DataDigest, "None"),
            new(IscsiKeys.ImmediateData, immediateData ? "Yes" : "No"),
            new(IscsiKeys.InitialR2T, initialR2T ? "Yes" : "No"),
            new(IscsiKeys.FirstBurstLength, firstBurst.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(IscsiKeys.MaxBurstLength, maxBurst.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(IscsiKeys.MaxRecvDataSegmentLength, "262144"),
        };
        var login = new LoginRequestHeader(true, false, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0, isid, 0, 1, 0, 1, 0);
        await c.SendAsync(login, IscsiTextParameters.Encode(keys));
        var (bhs, _) = await c.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new IOException("target closed the connection during login");
        var response = LoginResponseHeader.Read(bhs);
        if (response.StatusClass != 0 || !response.Transit || response.NextStage != LoginStage.FullFeaturePhase)
        {
            throw new IOException($"login failed: class {response.StatusClass} detail {response.StatusDetail}");
        }

        c.CmdSN = response.ExpCmdSN;
        c.ExpStatSN = response.StatSN + 1;
        return c;
    }

    public Task SendAsync<THeader>(THeader header, ReadOnlySpan<byte> data = default) where THeader : struct, IIscsiHeader<THeader>
    {
        var buffer = new byte[IscsiPduWriter.GetLength(0, data.Length, false, false)];
        IscsiPduWriter.Write(buffer, header, data, false, false);
        return SendRawAsync(buffer);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>A SCSI Command PDU with this client's next CmdSN.</summary>
    public ScsiCommandHeader Command(uint itt, ReadOnlySpan<byte> cdb, uint expectedLength, bool read, bool write, bool final = true, bool immediate = false) =>
        new(immediate, final, read, write, ScsiCommandHeader.AttributeSimple, 0, itt, expectedLength, immediate ? CmdSN : CmdSN++, ExpStatSN, ScsiCommandHeader.PackCdb(cdb));

    /// <summary>The next PDU (BHS and data copied), or null when the target closed the connection or the time ran out.</summary>
    public async Task<(byte[] Bhs, byte[] Data)?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var limits = new IscsiPduLimits(1 << 19, false, false, IscsiPduSource.Target);
        while (true)
        {
            var seq = new ReadOnlySequence<byte>(_rx, _start, _end - _start);
            if (IscsiPduReader.TryRead(ref seq, limits, out var pdu, out var error))
            {
                _start = _end - (int)seq.Length;
                return (pdu.Bhs.ToArray(), pdu.Data.ToArray());
            }

            if (error.IsError)
            {
                throw new IOException("target sent a malformed PDU: " + error);
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_rx, _start, _rx, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n;
            try
            {
                n = await _socket.ReceiveAsync(_rx.AsMemory(_end), SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _end += n;
        }
    }

    /// <summary>Reads until the target closes the connection; true if it did within the timeout.</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var pdu = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (pdu is null)
            {
                return !_socket.Connected || await IsEofAsync();
            }
        }

        return false;
    }

    private async Task<bool> IsEofAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            int n = await _socket.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token);
            return n == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

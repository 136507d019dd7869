using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>
/// SendTargets discovery (RFC 7143 §12.3, Appendix C): a Discovery session, one Text Request with
/// SendTargets=All (following Text Response continuations), then logout.
/// </summary>
internal static class IscsiDiscovery
{
    private const uint TextTag = 0x7FFF_0010;
    private const uint LogoutTag = 0x7FFF_0011;

    public static async Task<IReadOnlyList<IscsiDiscoveredTarget>> SendTargetsAsync(
        string host, int port, IscsiInitiatorOptions options, CancellationToken ct)
    {
        IscsiInitiatorOptionsValidator.ThrowIfInvalid(options);
        using var timeout = new CancellationTokenSource(options.LoginTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        await using IscsiConnection conn = await IscsiConnection.ConnectAsync(host, port, options.LoginTimeout, linked.Token).ConfigureAwait(false);
        IscsiLoginResult login = await IscsiLogin.LoginAsync(conn, options, null, 1, linked.Token).ConfigureAwait(false);
        var p = login.Parameters;
        conn.ApplyNegotiated(p.MaxRecvDataSegmentLength, p.PeerMaxRecvDataSegmentLength, p.HeaderDigest, p.DataDigest);
        uint cmdSN = login.ExpCmdSN;
        uint expStatSN = login.StatSN + 1;

        var text = new List<byte>();
        byte[] request = IscsiTextParameters.Encode([new(IscsiKeys.SendTargets, "All")]);
        uint ttt = BasicHeaderSegment.ReservedTag;
        for (int round = 0; ; round++)
        {
            if (round > 1000)
            {
                throw new IscsiProtocolException(conn.Peer, "SendTargets answer did not end after 1000 Text Responses");
            }

            var req = new TextRequestHeader(false, true, false, 0, TextTag, ttt, cmdSN++, expStatSN);
            await conn.SendAsync(req, round == 0 ? request : ReadOnlyMemory<byte>.Empty, linked.Token).ConfigureAwait(false);
            IscsiPdu pdu = await ReceiveSkippingNopsAsync(conn, linked.Token).ConfigureAwait(false);
            if (pdu.Opcode == IscsiOpcode.Reject)
            {
                throw IscsiProtocolException.Rejected(conn.Peer, pdu.Read<RejectHeader>().Reason, IscsiOpcode.TextRequest);
            }

            if (pdu.Opcode != IscsiOpcode.TextResponse)
            {
                throw new IscsiProtocolException(conn.Peer, $"expected a Text Response to SendTargets, got a {IscsiOpcodeInfo.Name(pdu.Opcode)}");
            }

            var rsp = pdu.Read<TextResponseHeader>();
            expStatSN = rsp.StatSN + 1;
            if (text.Count + pdu.DataSegmentLength > IscsiTextLimits.Default.MaxTotalBytes)
            {
                throw new IscsiProtocolException(conn.Peer, $"SendTargets answer exceeds {IscsiTextLimits.Default.MaxTotalBytes} bytes");
            }

            foreach (var segment in pdu.Data)
            {
                text.AddRange(segment.Span);
            }

            if (rsp.Final && !rsp.Continue)
            {
                break;
            }

            ttt = rsp.TargetTransferTag;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        if (!IscsiTextParameters.TryParse(text.ToArray(), IscsiTextLimits.Default, pairs, out string? error))
        {
            throw new IscsiProtocolException(conn.Peer, "malformed SendTargets answer: " + error);
        }

        var result = new List<IscsiDiscoveredTarget>();
        string? name = null;
        var addresses = new List<string>();
        foreach (var (key, value) in pairs)
        {
            if (key == IscsiKeys.TargetName)
            {
                if (name is not null)
                {
                    result.Add(new IscsiDiscoveredTarget(name, addresses.ToArray()));
                }

                name = value;
                addresses.Clear();
            }
            else if (key == IscsiKeys.TargetAddress && name is not null)
            {
                addresses.Add(value);
            }
        }

        if (name is not null)
        {
            result.Add(new IscsiDiscoveredTarget(name, addresses.ToArray()));
        }

        try
        {
            var logout = new LogoutRequestHeader(true, LogoutReason.CloseSession, LogoutTag, 0, cmdSN, expStatSN);
            await conn.SendAsync(logout, ReadOnlyMemory<byte>.Empty, linked.Token).ConfigureAwait(false);
            await ReceiveSkippingNopsAsync(conn, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // The answer is complete; a failed logout only means the target cleans up on close.
        }

        return result;
    }

    private static async Task<IscsiPdu> ReceiveSkippingNopsAsync(IscsiConnection conn, CancellationToken ct)
    {
        while (true)
        {
            IscsiPdu pdu = await conn.ReceiveAsync(ct).ConfigureAwait(false);
            if (pdu.Opcode != IscsiOpcode.NopIn)
            {
                return pdu;
            }
        }
    }
}

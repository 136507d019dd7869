using System.Globalization;
using System.Text;
using HwFence.Scsi.Iscsi.Login;
using HwFence.Scsi.Iscsi.Pdus;

namespace HwFence.Scsi.Iscsi.Initiator;

/// <summary>What a completed login established.</summary>
internal sealed record IscsiLoginResult(
    IscsiOperationalParameters Parameters, ushort Tsih, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, string? TargetAlias);

/// <summary>
/// The initiator side of the login phase (RFC 7143 §6.3): security negotiation (AuthMethod None or CHAP
/// with optional mutual authentication), then operational negotiation (§13), ending in full feature
/// phase. Runs on a fresh <see cref="IscsiConnection"/> before the session's receive loop starts.
/// </summary>
internal sealed class IscsiLogin
{
    private const int MaxExchanges = 32;
    private const uint LoginItt = 0x7FFF_0001;
    private readonly IscsiConnection _conn;
    private readonly IscsiInitiatorOptions _options;
    private readonly string? _targetName;
    private readonly ulong _isid;
    private readonly uint _cmdSN;
    private readonly string _peer;
    private readonly Dictionary<string, string> _offers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly IscsiOperationalParameters _params = new();
    private readonly List<KeyValuePair<string, string>> _pendingAnswers = new();
    private uint _expStatSN;
    private ushort _tsih;
    private uint _statSN;
    private uint _expCmdSN;
    private uint _maxCmdSN;
    private string? _targetAlias;

    private IscsiLogin(IscsiConnection conn, IscsiInitiatorOptions options, string? targetName, uint cmdSN)
    {
        _conn = conn;
        _options = options;
        _targetName = targetName;
        _isid = options.EffectiveIsid;
        _cmdSN = cmdSN;
        _peer = targetName is null ? conn.Peer : $"{conn.Peer}/{targetName}";
    }

    private bool Discovery => _targetName is null;

    /// <summary>
    /// Logs in to <paramref name="targetName"/> (Normal session) or, when it is null, opens a Discovery
    /// session. Throws <see cref="IscsiProtocolException"/> with the login status on refusal.
    /// </summary>
    public static Task<IscsiLoginResult> LoginAsync(
        IscsiConnection conn, IscsiInitiatorOptions options, string? targetName, uint cmdSN, CancellationToken ct) =>
        new IscsiLogin(conn, options, targetName, cmdSN).RunAsync(ct);

    private async Task<IscsiLoginResult> RunAsync(CancellationToken ct)
    {
        _params.MaxRecvDataSegmentLength = _options.MaxRecvDataSegmentLength;
        var first = new List<KeyValuePair<string, string>>
        {
            new(IscsiKeys.InitiatorName, _options.InitiatorName),
            new(IscsiKeys.SessionType, Discovery ? "Discovery" : "Normal"),
        };
        if (_options.InitiatorAlias is { } alias)
        {
            first.Add(new(IscsiKeys.InitiatorAlias, alias));
        }

        if (!Discovery)
        {
            first.Add(new(IscsiKeys.TargetName, _targetName!));
        }

        var chap = _options.Chap;
        first.Add(new(IscsiKeys.AuthMethod, chap is null ? IscsiKeys.None : "CHAP"));

        // Security negotiation (§6.3.2, §12).
        var (rsp, keys) = await ExchangeAsync(first, transit: chap is null, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, ct).ConfigureAwait(false);
        string? auth = IscsiTextParameters.Find(keys, IscsiKeys.AuthMethod);
        if (auth is not null && auth != (chap is null ? IscsiKeys.None : "CHAP"))
        {
            throw new IscsiProtocolException(_peer, $"target answered AuthMethod={auth} to our {(chap is null ? "None" : "CHAP")}"
                + (chap is null ? ": it requires authentication — configure CHAP credentials" : ""));
        }

        if (chap is not null)
        {
            (rsp, keys) = await ChapAsync(chap, rsp, ct).ConfigureAwait(false);
        }

        int guard = 0;
        while (!(rsp.Transit && rsp.NextStage != LoginStage.SecurityNegotiation))
        {
            // The target has not agreed to leave the security stage yet: ask again.
            (rsp, keys) = await ExchangeAsync([], true, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, ct).ConfigureAwait(false);
            Guard(ref guard);
        }

        if (rsp.NextStage == LoginStage.LoginOperationalNegotiation)
        {
            // Operational negotiation (§6.3.3, §13).
            var offers = BuildOperationalOffers();
            foreach (var o in offers)
            {
                if (IscsiKeys.TryGet(o.Key, out var d) && d.Kind != IscsiKeyKind.Declarative)
                {
                    _offers[o.Key] = o.Value;
                }
            }

            (rsp, keys) = await ExchangeAsync(offers, true, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, ct).ConfigureAwait(false);
            ProcessOperational(keys);
            guard = 0;
            while (!(rsp.Transit && rsp.NextStage == LoginStage.FullFeaturePhase))
            {
                var answers = _pendingAnswers.ToList();
                _pendingAnswers.Clear();
                (rsp, keys) = await ExchangeAsync(answers, true, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, ct).ConfigureAwait(false);
                ProcessOperational(keys);
                Guard(ref guard);
            }

            FinishOperational();
        }
        else if (rsp.NextStage != LoginStage.FullFeaturePhase)
        {
            throw new IscsiProtocolException(_peer, $"login response moved to stage {rsp.NextStage}, expected operational negotiation or full feature phase");
        }

        if (rsp.Tsih == 0)
        {
            throw new IscsiProtocolException(_peer, "final login response carries TSIH 0 (RFC 7143 §11.13.4 requires the new session's handle)");
        }

        return new IscsiLoginResult(_params, rsp.Tsih, _statSN, _expCmdSN, _maxCmdSN, _targetAlias);
    }

    private List<KeyValuePair<string, string>> BuildOperationalOffers()
    {
        var o = new List<KeyValuePair<string, string>>
        {
            new(IscsiKeys.HeaderDigest, DigestOffer(_options.HeaderDigest)),
            new(IscsiKeys.DataDigest, DigestOffer(_options.DataDigest)),
            new(IscsiKeys.MaxRecvDataSegmentLength, Num(_options.MaxRecvDataSegmentLength)),
        };
        if (!Discovery)
        {
            o.Add(new(IscsiKeys.InitialR2T, IscsiNegotiation.FormatBoolean(_options.InitialR2T)));
            o.Add(new(IscsiKeys.ImmediateData, IscsiNegotiation.FormatBoolean(_options.ImmediateData)));
            o.Add(new(IscsiKeys.MaxBurstLength, Num(_options.MaxBurstLength)));
            o.Add(new(IscsiKeys.FirstBurstLength, Num(_options.FirstBurstLength)));
            o.Add(new(IscsiKeys.MaxConnections, "1"));
            o.Add(new(IscsiKeys.DefaultTime2Wait, Num(_options.DefaultTime2Wait)));
            o.Add(new(IscsiKeys.DefaultTime2Retain, Num(_options.DefaultTime2Retain)));
            o.Add(new(IscsiKeys.MaxOutstandingR2T, "1"));
            o.Add(new(IscsiKeys.DataPduInOrder, IscsiKeys.Yes));
            o.Add(new(IscsiKeys.DataSequenceInOrder, IscsiKeys.Yes));
            o.Add(new(IscsiKeys.ErrorRecoveryLevel, "0"));
        }

        return o;
    }

    /// <summary>What we would answer if the target offers a key itself (§6.2: either side may offer).</summary>
    private string LocalValue(string key) => key switch
    {
        IscsiKeys.HeaderDigest => DigestOffer(_options.HeaderDigest),
        IscsiKeys.DataDigest => DigestOffer(_options.DataDigest),
        IscsiKeys.InitialR2T => IscsiNegotiation.FormatBoolean(_options.InitialR2T),
        IscsiKeys.ImmediateData => IscsiNegotiation.FormatBoolean(_options.ImmediateData),
        IscsiKeys.MaxBurstLength => Num(_options.MaxBurstLength),
        IscsiKeys.FirstBurstLength => Num(_options.FirstBurstLength),
        IscsiKeys.DefaultTime2Wait => Num(_options.DefaultTime2Wait),
        IscsiKeys.DefaultTime2Retain => Num(_options.DefaultTime2Retain),
        IscsiKeys.MaxConnections or IscsiKeys.MaxOutstandingR2T => "1",
        IscsiKeys.ErrorRecoveryLevel => "0",
        IscsiKeys.DataPduInOrder or IscsiKeys.DataSequenceInOrder => IscsiKeys.Yes,
        _ => "",
    };

    private void ProcessOperational(List<KeyValuePair<string, string>> keys)
    {
        foreach (var (key, value) in keys)
        {
            switch (key)
            {
                case IscsiKeys.TargetAlias:
                    _targetAlias = value;
                    continue;
                case IscsiKeys.TargetPortalGroupTag or IscsiKeys.TargetAddress or IscsiKeys.TargetName:
                    continue;
                case IscsiKeys.MaxRecvDataSegmentLength:
                    Apply(key, value, declaredByPeer: true);
                    continue;
            }

            if (_offers.TryGetValue(key, out string? offered))
            {
                if (!IscsiNegotiation.TryAccept(key, offered, value, out string result, out string? error))
                {
                    throw new IscsiProtocolException(_peer, "login negotiation failed: " + error);
                }

                _answered.Add(key);
                if (!(Discovery && value == IscsiKeys.Irrelevant))
                {
                    Apply(key, result, declaredByPeer: false);
                }
            }
            else if (IscsiNegotiation.Respond(key, value, LocalValue(key)) is { } answer)
            {
                // The target offered a key: answer it in the next request and adopt the result.
                _pendingAnswers.Add(new(key, answer));
                if (answer is not (IscsiKeys.Reject or IscsiKeys.NotUnderstood or IscsiKeys.Irrelevant))
                {
                    Apply(key, answer, declaredByPeer: false);
                }
            }
        }
    }

    private void FinishOperational()
    {
        foreach (var (key, offered) in _offers)
        {
            if (!_answered.Contains(key) && IscsiNegotiation.ResultWhenUnanswered(key, offered) is { } result)
            {
                Apply(key, result, declaredByPeer: false);
            }
        }

        // A declarative MaxRecvDataSegmentLength is ours; the target's was recorded as the peer's.
        _params.MaxRecvDataSegmentLength = _options.MaxRecvDataSegmentLength;
    }

    private void Apply(string key, string value, bool declaredByPeer)
    {
        if (!_params.TryApply(key, value, declaredByPeer, out string? error))
        {
            throw new IscsiProtocolException(_peer, "login negotiation failed: " + error);
        }
    }

    private async Task<(LoginResponseHeader, List<KeyValuePair<string, string>>)> ChapAsync(
        IscsiChapCredentials chap, LoginResponseHeader rsp, CancellationToken ct)
    {
        // §12.1.3: I→T CHAP_A=<A1,A2…>; T→I CHAP_A=<A>, CHAP_I, CHAP_C; I→T CHAP_N, CHAP_R [, CHAP_I, CHAP_C]; T→I [CHAP_N, CHAP_R].
        var (_, keys) = await ExchangeAsync(
            [new(IscsiKeys.ChapAlgorithm, IscsiChap.AlgorithmMd5.ToString(CultureInfo.InvariantCulture))],
            false, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, ct).ConfigureAwait(false);
        string alg = IscsiTextParameters.Find(keys, IscsiKeys.ChapAlgorithm) ?? "";
        if (alg != "5")
        {
            throw new IscsiProtocolException(_peer, $"target chose CHAP_A={alg}; only MD5 (5) is supported");
        }

        string idText = IscsiTextParameters.Find(keys, IscsiKeys.ChapIdentifier)
            ?? throw new IscsiProtocolException(_peer, "target's CHAP challenge lacks CHAP_I");
        string challengeText = IscsiTextParameters.Find(keys, IscsiKeys.ChapChallenge)
            ?? throw new IscsiProtocolException(_peer, "target's CHAP challenge lacks CHAP_C");
        if (!byte.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out byte id))
        {
            throw new IscsiProtocolException(_peer, $"CHAP_I={idText} is not a number 0..255");
        }

        if (!IscsiChap.TryDecodeBinary(challengeText, out byte[] challenge, out string? error))
        {
            throw new IscsiProtocolException(_peer, "CHAP_C: " + error);
        }

        byte[] response = IscsiChap.ComputeResponse(id, Encoding.UTF8.GetBytes(chap.Secret), challenge);
        var reply = new List<KeyValuePair<string, string>>
        {
            new(IscsiKeys.ChapName, chap.User),
            new(IscsiKeys.ChapResponse, IscsiChap.EncodeBinary(response)),
        };
        byte myId = 0;
        byte[] myChallenge = [];
        if (chap.Mutual)
        {
            (myId, myChallenge) = IscsiChap.CreateChallenge();
            if (myChallenge.AsSpan().SequenceEqual(challenge))
            {
                throw new IscsiProtocolException(_peer, "target's CHAP challenge equals ours (reflection attack)");
            }

            reply.Add(new(IscsiKeys.ChapIdentifier, myId.ToString(CultureInfo.InvariantCulture)));
            reply.Add(new(IscsiKeys.ChapChallenge, IscsiChap.EncodeBinary(myChallenge)));
        }

        var (final, finalKeys) = await ExchangeAsync(reply, true, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, ct).ConfigureAwait(false);
        if (chap.Mutual)
        {
            string? name = IscsiTextParameters.Find(finalKeys, IscsiKeys.ChapName);
            string? r = IscsiTextParameters.Find(finalKeys, IscsiKeys.ChapResponse);
            if (r is null || !IscsiChap.TryDecodeBinary(r, out byte[] targetResponse, out _)
                || !IscsiChap.Verify(myId, Encoding.UTF8.GetBytes(chap.TargetSecret!), myChallenge, targetResponse))
            {
                throw new IscsiProtocolException(_peer, "mutual CHAP failed: the target did not prove the target secret — it may be an impostor");
            }

            if (chap.TargetUser is { } expected && name != expected)
            {
                throw new IscsiProtocolException(_peer, $"mutual CHAP: target answered as {name}, expected {expected}");
            }
        }

        return (final, finalKeys);
    }

    /// <summary>
    /// Sends one Login Request with <paramref name="pairs"/> and collects the answer, following
    /// continuations (C bit, §6.2) in both directions. Checks Status-Class and tracks StatSN.
    /// </summary>
    private async Task<(LoginResponseHeader, List<KeyValuePair<string, string>>)> ExchangeAsync(
        List<KeyValuePair<string, string>> pairs, bool transit, LoginStage current, LoginStage next, CancellationToken ct)
    {
        byte[] text = IscsiTextParameters.Encode(pairs);
        const int chunk = IscsiPduLimits.LoginMaxRecvDataSegmentLength;
        int offset = 0;
        LoginResponseHeader rsp;
        var received = new List<byte>();
        while (true)
        {
            int n = Math.Min(chunk, text.Length - offset);
            bool more = offset + n < text.Length;
            var req = new LoginRequestHeader(transit && !more, more, current, next, 0, 0, _isid, _tsih, LoginItt, 0, _cmdSN, _expStatSN);
            await _conn.SendAsync(req, text.AsMemory(offset, n), ct).ConfigureAwait(false);
            offset += n;
            rsp = await ReceiveLoginResponseAsync(received, ct).ConfigureAwait(false);
            if (!more)
            {
                break;
            }
        }

        while (rsp.Continue)
        {
            // The target's text continues: an empty request fetches the next part.
            var req = new LoginRequestHeader(false, false, current, next, 0, 0, _isid, _tsih, LoginItt, 0, _cmdSN, _expStatSN);
            await _conn.SendAsync(req, ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
            rsp = await ReceiveLoginResponseAsync(received, ct).ConfigureAwait(false);
        }

        var keys = new List<KeyValuePair<string, string>>();
        if (!IscsiTextParameters.TryParse(received.ToArray(), IscsiTextLimits.Default, keys, out string? error))
        {
            throw new IscsiProtocolException(_peer, "malformed login response text: " + error);
        }

        return (rsp, keys);
    }

    private async Task<LoginResponseHeader> ReceiveLoginResponseAsync(List<byte> text, CancellationToken ct)
    {
        IscsiPdu pdu = await _conn.ReceiveAsync(ct).ConfigureAwait(false);
        if (pdu.Opcode == IscsiOpcode.Reject)
        {
            throw IscsiProtocolException.Rejected(_peer, pdu.Read<RejectHeader>().Reason, IscsiOpcode.LoginRequest);
        }

        if (pdu.Opcode != IscsiOpcode.LoginResponse)
        {
            throw new IscsiProtocolException(_peer, $"expected a Login Response, got a {IscsiOpcodeInfo.Name(pdu.Opcode)}");
        }

        var rsp = pdu.Read<LoginResponseHeader>();
        if (rsp.StatusClass != IscsiLoginStatus.Success)
        {
            throw IscsiProtocolException.LoginFailed(_peer, rsp.StatusClass, rsp.StatusDetail);
        }

        if (rsp.InitiatorTaskTag != LoginItt || rsp.Isid != _isid)
        {
            throw new IscsiProtocolException(_peer, "Login Response does not echo our ITT/ISID");
        }

        if (rsp.VersionActive != 0)
        {
            throw new IscsiProtocolException(_peer, $"target chose iSCSI version {rsp.VersionActive}; only version 0 (RFC 7143) is supported");
        }

        if (text.Count + pdu.DataSegmentLength > IscsiTextLimits.Default.MaxTotalBytes)
        {
            throw new IscsiProtocolException(_peer, $"login text exceeds {IscsiTextLimits.Default.MaxTotalBytes} bytes");
        }

        foreach (ReadOnlyMemory<byte> segment in pdu.Data)
        {
            text.AddRange(segment.Span);
        }

        _tsih = rsp.Tsih;
        _statSN = rsp.StatSN;
        _expStatSN = rsp.StatSN + 1;
        _expCmdSN = rsp.ExpCmdSN;
        _maxCmdSN = rsp.MaxCmdSN;
        return rsp;
    }

    private void Guard(ref int count)
    {
        if (++count > MaxExchanges)
        {
            throw new IscsiProtocolException(_peer, $"login did not complete after {MaxExchanges} exchanges");
        }
    }

    private static string DigestOffer(IscsiDigestMode mode) => mode switch
    {
        IscsiDigestMode.Crc32C => IscsiKeys.Crc32C,
        IscsiDigestMode.PreferCrc32C => "CRC32C,None",
        _ => IscsiKeys.None,
    };

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
